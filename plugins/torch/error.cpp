// SPDX-License-Identifier: Apache-2.0
/*
 * Turning a libtorch exception into a reason a user can read.
 *
 * An error raised inside a TorchScript model arrives as one long text: a
 * header line ("The following operation failed in the TorchScript
 * interpreter."), the serialized and the original code's tracebacks, and
 * only then the line that says what went wrong ("RuntimeError: Given
 * groups=1, ... expected input[1, 1, 32, 32] to have 3 channels, but got 1
 * channels instead"). That line is logged at error level, which makes it
 * the caller's last error message; the whole text goes to debug level.
 */
#include "model.hpp"

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

/* The line of `text` that starts at `pos`, without its newline. */
std::string line_at(const std::string &text, size_t pos)
{
	size_t end = text.find('\n', pos);

	return text.substr(pos, end == std::string::npos ? end : end - pos);
}

} /* namespace */

std::string vtorch_reason(const std::string &text)
{
	const char *marker = "Traceback of TorchScript";
	size_t pos = text.rfind(marker);

	if (pos != std::string::npos) {
		/* The traceback's entries are indented; the reason is the
		 * first non-empty line after it that starts in column 0. */
		for (pos = text.find('\n', pos); pos != std::string::npos;
		     pos = text.find('\n', pos)) {
			pos++;
			if (pos < text.size() && text[pos] != ' ' &&
			    text[pos] != '\t' && text[pos] != '\n')
				return line_at(text, pos);
		}
	}
	/* Otherwise the first non-empty line. */
	pos = text.find_first_not_of("\n");
	return pos == std::string::npos ? text : line_at(text, pos);
}

void vtorch_log_exception(const std::exception &e, const char *fmt, ...)
{
	const c10::Error *ce = dynamic_cast<const c10::Error *>(&e);
	std::string text = ce ? ce->what_without_backtrace() : e.what();
	char context[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(context, sizeof(context), fmt, ap);
	va_end(ap);
	vaccel_error("%s: %s", context, vtorch_reason(text).c_str());
	if (text.find('\n') != std::string::npos)
		vaccel_debug("%s: libtorch's whole message:\n%s", context,
			     text.c_str());
}
