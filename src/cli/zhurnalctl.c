/* zhurnalctl: Zhurnal from the command line — accounts, sync, edits, backup, demo data. Each
 * command is one function taking its own arguments; `zhurnalctl --help` lists them. */
#define G_LOG_DOMAIN "zhurnalctl"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <glib/gi18n.h>

#include "zh-cmd-demo.h"
#include "zh-cmds.h"
#include "zh-version.h"

typedef struct
{
  const char *name;
  const char *summary;  /* N_() */
  int       (*run) (int argc, char **argv);
} ZhCommand;

static const ZhCommand commands[] = {
  { "login", N_("Sign in to a journal service; the token goes to the keyring"), zh_cmd_login },
  { "logout", N_("Sign out and forget the token"), zh_cmd_logout },
  { "sync", N_("Send the changes made here, bring the offline copy up to date"), zh_cmd_sync },
  { "status", N_("What waits to be sent, was refused or is in conflict"), zh_cmd_status },
  { "edit", N_("Change a mark, an absence, a topic or homework in the offline copy"), zh_cmd_edit },
  { "backup", N_("Copy the offline copy into a new file"), zh_cmd_backup },
  { "demo-school", N_("Generate the demo school into a new database"), zh_cmd_demo_school },
  { NULL, NULL, NULL },
};

static void
print_help (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: zhurnalctl COMMAND [OPTION…]"));
  fprintf (out, "%s\n\n", _("Zhurnal, the electronic class journal, from the command line."));
  fprintf (out, "%s\n", _("Commands:"));
  for (const ZhCommand *c = commands; c->name != NULL; c++)
    fprintf (out, "  %-14s %s\n", c->name, _(c->summary));
  fprintf (out, "\n%s\n", _("Options:"));
  fprintf (out, "  %-14s %s\n", "-h, --help", _("Show this help"));
  fprintf (out, "  %-14s %s\n", "--version", _("Show the version"));
  fprintf (out, "\n%s\n", _("Run “zhurnalctl COMMAND --help” for the options of a command."));
}

int
main (int    argc,
      char **argv)
{
  zh_i18n_init ();

  if (argc < 2)
    {
      print_help (stderr);
      return EXIT_FAILURE;
    }

  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    {
      print_help (stdout);
      return EXIT_SUCCESS;
    }

  if (g_str_equal (argv[1], "--version"))
    {
      printf ("zhurnalctl %s\n", zh_version ());
      return EXIT_SUCCESS;
    }

  for (const ZhCommand *c = commands; c->name != NULL; c++)
    if (g_str_equal (argv[1], c->name))
      return c->run (argc - 1, argv + 1);

  fprintf (stderr, _("zhurnalctl: unknown command “%s”; see “zhurnalctl --help”.\n"), argv[1]);
  return 2;
}
