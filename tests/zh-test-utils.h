/* zh-test-utils.h: helpers shared by the test programs. */
#pragma once

#include <glib.h>

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

G_END_DECLS
