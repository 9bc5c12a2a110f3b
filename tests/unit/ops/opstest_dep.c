// SPDX-License-Identifier: Apache-2.0
/* A dependency library: loaded RTLD_GLOBAL before opstest_main. */
__attribute__((visibility("default"))) int opstest_dep_value(void);

int opstest_dep_value(void)
{
	return 21;
}
