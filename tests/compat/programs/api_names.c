// SPDX-License-Identifier: Apache-2.0
/*
 * api_names: prints the names upstream's enum helpers and
 * vaccel_str_to_lower give, for programs that log or compare them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <vaccel.h>

int main(void)
{
	char buf[VACCEL_ENUM_STR_MAX], buf2[VACCEL_ENUM_STR_MAX], small[5];
	char text[] = "MiXeD Case 42";
	char *alloc = NULL;

	printf("op: %s %s %s %s\n", vaccel_op_type_to_str(VACCEL_OP_NOOP),
	       vaccel_op_type_to_base_str(VACCEL_OP_IMAGE_CLASSIFY),
	       vaccel_op_type_name(VACCEL_OP_TORCH_MODEL_RUN, buf, sizeof(buf)),
	       vaccel_op_type_to_lower(VACCEL_OP_BLAS_SGEMM, buf2,
				       sizeof(buf2)));
	printf("arg: %s %s\n", vaccel_arg_type_to_str(VACCEL_ARG_INT32_ARRAY),
	       vaccel_arg_type_name(VACCEL_ARG_STRING, buf, sizeof(buf)));
	printf("resource: %s %s\n",
	       vaccel_resource_type_to_str(VACCEL_RESOURCE_MODEL),
	       vaccel_resource_type_to_base_str(VACCEL_RESOURCE_LIB));
	printf("path: %s blob: %s\n",
	       vaccel_path_type_to_base_str(VACCEL_PATH_LOCAL_DIR),
	       vaccel_blob_type_name(VACCEL_BLOB_BUFFER, buf, sizeof(buf)));
	printf("log: %s %s %s\n", vaccel_log_level_to_str(VACCEL_LOG_WARN),
	       vaccel_log_level_to_base_str(VACCEL_LOG_DEBUG),
	       vaccel_log_level_name(VACCEL_LOG_ERROR, buf, sizeof(buf)));
	printf("plugin: %s %s %s\n",
	       vaccel_plugin_type_to_str(VACCEL_PLUGIN_TORCH),
	       vaccel_plugin_type_to_base_str(VACCEL_PLUGIN_REMOTE),
	       vaccel_plugin_type_name(VACCEL_PLUGIN_DEBUG, buf, sizeof(buf)));
	printf("truncated: %s\n",
	       vaccel_op_type_name(VACCEL_OP_EXEC_WITH_RESOURCE, small,
				   sizeof(small)));

	if (vaccel_str_to_lower(text, buf, sizeof(buf), NULL) == VACCEL_OK)
		printf("str_to_lower: %s\n", buf);
	if (vaccel_str_to_lower(text, NULL, 0, &alloc) == VACCEL_OK)
		printf("str_to_lower alloc: %s\n", alloc);
	free(alloc);
	if (vaccel_str_to_lower(text, text, sizeof(text), NULL) == VACCEL_OK)
		printf("str_to_lower in place: %s\n", text);
	printf("str_to_lower NULL: %d\n",
	       vaccel_str_to_lower(NULL, buf, sizeof(buf), NULL));
	return 0;
}
