/* zhurnal-server: the reference regional journal service (DESIGN.md §8). */
#define G_LOG_DOMAIN "zh-server"

#include "config.h"

#include <stdlib.h>
#include <glib/gi18n.h>

#include "zh-version.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *listen = NULL;
  gboolean demo = FALSE;
  gboolean version = FALSE;
  GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir, N_("Folder of the service’s database"), N_("DIR") },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen, N_("Address to listen on (default 127.0.0.1:8080)"), N_("HOST:PORT") },
    { "demo", 0, 0, G_OPTION_ARG_NONE, &demo, N_("Fill an empty folder with the demo school"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Show the version"), NULL },
    { NULL }
  };

  zh_i18n_init ();

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("The reference regional service of the electronic class journal."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("zhurnal-server: %s\n", error->message);
      return 2;
    }

  if (version)
    {
      g_print ("zhurnal-server %s\n", zh_version ());
      return EXIT_SUCCESS;
    }

  if (data_dir == NULL)
    {
      g_printerr ("%s\n", _("zhurnal-server: --data DIR is required; see --help."));
      return 2;
    }

  g_printerr ("%s\n", _("zhurnal-server: the service itself is not built yet."));
  return EXIT_FAILURE;
}
