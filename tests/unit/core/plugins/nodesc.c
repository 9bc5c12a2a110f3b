// SPDX-License-Identifier: Apache-2.0
/* A shared object without the plugin descriptor symbol. */

__attribute__((visibility("default"))) int not_a_plugin(void);
int not_a_plugin(void)
{
	return 0;
}
