/* zh-cmd-demo.h: `zhurnalctl demo-school`. */
#pragma once

int zh_cmd_demo_school (int    argc,
                        char **argv);
