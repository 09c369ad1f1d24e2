/* zh-cmds.h: the account, sync and offline-copy commands of zhurnalctl, one file each
 * (zh-cmd-login.c, zh-cmd-logout.c, zh-cmd-sync.c, zh-cmd-status.c, zh-cmd-edit.c,
 * zh-cmd-backup.c). Each takes its own argv (argv[0] is the command's name) and returns the exit
 * status: 0 done, 1 failed, 2 wrong usage. */
#pragma once

int zh_cmd_login  (int    argc,
                   char **argv);
int zh_cmd_logout (int    argc,
                   char **argv);
int zh_cmd_sync   (int    argc,
                   char **argv);
int zh_cmd_status (int    argc,
                   char **argv);
int zh_cmd_edit   (int    argc,
                   char **argv);
int zh_cmd_backup (int    argc,
                   char **argv);
