/* zh-test-utils.h: helpers shared by the test programs. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A fresh temporary folder, removed with its contents by zh_test_tmpdir_free. */
char    *zh_test_tmpdir_new  (void);
void     zh_test_tmpdir_free (char *dir);

/* Path of a program built in this tree: "zhurnalctl" → BUILD/src/cli/zhurnalctl. */
char    *zh_test_build_path  (const char *first_element,
                              ...) G_GNUC_NULL_TERMINATED;
char    *zh_test_source_path (const char *first_element,
                              ...) G_GNUC_NULL_TERMINATED;

/* Run argv, wait, return the exit status; standard output and error are returned if asked. */
int      zh_test_run         (const char * const *argv,
                              char              **out,
                              char              **err);

/* Start BUILD's zhurnal-server on @data_dir with the arguments after it (a NULL-terminated list:
 * "--listen", "127.0.0.1:0", "--demo", …) as a child that dies with the test; its address, read
 * from its "Listening on" line, in @url. @launcher (made with G_SUBPROCESS_FLAGS_STDOUT_PIPE) may
 * carry an environment of its own; NULL for a plain one. */
GSubprocess *zh_test_server_spawn (GSubprocessLauncher *launcher,
                                   const char          *data_dir,
                                   char               **url,
                                   const char          *first_arg,
                                   ...) G_GNUC_NULL_TERMINATED;
/* Stop it with SIGTERM and wait for it to exit. */
void     zh_test_server_stop (GSubprocess        *server);

/* Run the main context for @msec milliseconds, handling whatever comes. */
void     zh_test_spin        (guint               msec);
/* Run the main context until @check holds; fail the test naming @what after @seconds. */
void     zh_test_wait_for    (gboolean          (*check) (void),
                              const char         *what,
                              guint               seconds);

G_END_DECLS
