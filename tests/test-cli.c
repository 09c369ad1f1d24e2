/* test-cli: the command-line programs answer --help and --version, and refuse bad usage. */
#define G_LOG_DOMAIN "test-cli"

#include "config.h"

#include "zh-test-utils.h"

typedef struct
{
  const char *program;   /* path under the build root */
  const char *name;
} Program;

static const Program programs[] = {
  { "src/cli/zhurnalctl", "zhurnalctl" },
  { "src/server/zhurnal-server", "zhurnal-server" },
};

static void
test_version (gconstpointer data)
{
  const Program *p = data;
  g_autofree char *path = zh_test_build_path (p->program, NULL);
  g_autofree char *out = NULL;
  g_autofree char *expected = g_strdup_printf ("%s %s\n", p->name, PACKAGE_VERSION);
  const char *argv[] = { path, "--version", NULL };

  g_assert_cmpint (zh_test_run (argv, &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, expected);
}

static void
test_help (gconstpointer data)
{
  const Program *p = data;
  g_autofree char *path = zh_test_build_path (p->program, NULL);
  g_autofree char *out = NULL;
  const char *argv[] = { path, "--help", NULL };

  g_assert_cmpint (zh_test_run (argv, &out, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "Usage:"));
}

/* The help is Russian on a Russian desktop (DEVELOPERS.md rule 6). */
static void
test_help_russian (gconstpointer data)
{
  const Program *p = data;
  g_autofree char *path = zh_test_build_path (p->program, NULL);
  g_autofree char *out = NULL;
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GError) error = NULL;
  const char *argv[] = { path, "--help", NULL };
  int status = 0;

  env = g_environ_setenv (env, "LANGUAGE", "ru", TRUE);
  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);
  g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (g_str_has_prefix (out, "Использование:"));
}

static void
test_unknown_option (gconstpointer data)
{
  const Program *p = data;
  g_autofree char *path = zh_test_build_path (p->program, NULL);
  g_autofree char *err = NULL;
  const char *argv[] = { path, "--no-such-option", NULL };

  g_assert_cmpint (zh_test_run (argv, NULL, &err), ==, 2);
  g_assert_true (strstr (err, "--no-such-option") != NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (programs); i++)
    {
      g_autofree char *version = g_strdup_printf ("/cli/%s/version", programs[i].name);
      g_autofree char *help = g_strdup_printf ("/cli/%s/help", programs[i].name);
      g_autofree char *help_ru = g_strdup_printf ("/cli/%s/help-russian", programs[i].name);
      g_autofree char *unknown = g_strdup_printf ("/cli/%s/unknown-option", programs[i].name);

      g_test_add_data_func (version, &programs[i], test_version);
      g_test_add_data_func (help, &programs[i], test_help);
      g_test_add_data_func (help_ru, &programs[i], test_help_russian);
      g_test_add_data_func (unknown, &programs[i], test_unknown_option);
    }

  return g_test_run ();
}
