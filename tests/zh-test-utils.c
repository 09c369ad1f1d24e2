/* zh-test-utils.c: helpers shared by the test programs. */
#define G_LOG_DOMAIN "zh-test"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "zh-test-utils.h"

/* zh_test_tmpdir_new: a new folder under the system's temporary folder. */
char *
zh_test_tmpdir_new (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("zhurnal-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_recursively (GFile *file)
{
  g_autoptr(GFileEnumerator) children = NULL;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  if (children != NULL)
    {
      GFileInfo *info;

      while ((info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
        {
          g_autoptr(GFile) child = g_file_get_child (file, g_file_info_get_name (info));

          remove_recursively (child);
          g_object_unref (info);
        }
    }
  g_file_delete (file, NULL, NULL);
}

/* zh_test_tmpdir_free: remove @dir and everything in it, and free the string. */
void
zh_test_tmpdir_free (char *dir)
{
  g_autoptr(GFile) file = NULL;

  if (dir == NULL)
    return;
  file = g_file_new_for_path (dir);
  remove_recursively (file);
  g_free (dir);
}

static char *
build_path_va (const char  *root,
               const char  *first_element,
               va_list      args)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  const char *element;

  g_ptr_array_add (parts, (gpointer) root);
  for (element = first_element; element != NULL; element = va_arg (args, const char *))
    g_ptr_array_add (parts, (gpointer) element);
  g_ptr_array_add (parts, NULL);
  return g_build_filenamev ((char **) parts->pdata);
}

/* zh_test_build_path: a path inside the build tree (ZH_BUILD_ROOT, set by tests/meson.build). */
char *
zh_test_build_path (const char *first_element,
                    ...)
{
  const char *root = g_getenv ("ZH_BUILD_ROOT");
  va_list args;
  char *path;

  g_assert_nonnull (root);
  va_start (args, first_element);
  path = build_path_va (root, first_element, args);
  va_end (args);
  return path;
}

/* zh_test_source_path: a path inside the source tree (ZH_SOURCE_ROOT). */
char *
zh_test_source_path (const char *first_element,
                     ...)
{
  const char *root = g_getenv ("ZH_SOURCE_ROOT");
  va_list args;
  char *path;

  g_assert_nonnull (root);
  va_start (args, first_element);
  path = build_path_va (root, first_element, args);
  va_end (args);
  return path;
}

/* zh_test_run: run @argv to its end; returns its exit status (or -1 when killed by a signal). */
int
zh_test_run (const char * const *argv,
             char              **out,
             char              **err)
{
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status, &error);
  g_assert_no_error (error);
  if (!WIFEXITED (status))
    return -1;
  return WEXITSTATUS (status);
}

static void
die_with_parent (gpointer data)
{
  /* A test that fails with g_error must not leave its service behind. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* zh_test_server_spawn: start zhurnal-server as a child of the test; see the header. */
GSubprocess *
zh_test_server_spawn (GSubprocessLauncher  *launcher,
                      const char           *data_dir,
                      char                **url,
                      const char           *first_arg,
                      ...)
{
  g_autoptr(GSubprocessLauncher) plain = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *server;
  va_list args;
  char *line;

  if (launcher == NULL)
    launcher = plain = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_ptr_array_add (argv, zh_test_build_path ("src", "server", "zhurnal-server", NULL));
  g_ptr_array_add (argv, g_strdup ("--data"));
  g_ptr_array_add (argv, g_strdup (data_dir));
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  while ((line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error)) != NULL &&
         !g_str_has_prefix (line, "Listening on "))
    g_free (line);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  *url = g_strdup (line + strlen ("Listening on "));
  g_free (line);
  return server;
}

/* zh_test_server_stop: SIGTERM, then wait for the exit. */
void
zh_test_server_stop (GSubprocess *server)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, &error);
  g_assert_no_error (error);
}

/* zh_test_spin: run the main context for @msec milliseconds. */
void
zh_test_spin (guint msec)
{
  gint64 end = g_get_monotonic_time () + msec * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (1000);
    }
}

/* zh_test_wait_for: run the main context until @check holds, at most @seconds. */
void
zh_test_wait_for (gboolean  (*check) (void),
                  const char *what,
                  guint       seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!check ())
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}
