/* zh-test-utils.c: helpers shared by the test programs. */
#define G_LOG_DOMAIN "zh-test"

#include "config.h"

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
