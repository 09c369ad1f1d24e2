/* zhurnal-server: the reference regional journal service (DESIGN.md §8).
 *
 *   zhurnal-server --data DIR [--listen HOST:PORT] [--demo] [--allow-remote]
 *                  [--tls-certificate FILE --tls-key FILE]
 *
 * It listens on 127.0.0.1:8080 unless told otherwise, and refuses an address other than the
 * loopback unless --allow-remote is given: binding to a public address must be a decision (and
 * beyond one machine the service belongs behind a TLS reverse proxy or serves https itself with
 * --tls-certificate and --tls-key, PEM files).
 * SIGTERM or SIGINT stop it gracefully: requests in flight are answered, the database is closed,
 * and it exits with status 0.
 */
#define G_LOG_DOMAIN "zh-server"

#include "config.h"

#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <glib/gi18n.h>
#include <glib-unix.h>
#include <sqlite3.h>

#include "zh-server.h"
#include "zh-server-store.h"
#include "zh-demo.h"
#include "zh-version.h"

static gboolean
parse_listen (const char  *text,
              char       **host,
              guint16     *port,
              GError     **error)
{
  const char *colon = strrchr (text, ':');
  g_autofree char *name = NULL;
  guint64 number;

  if (colon == NULL || colon == text || colon[1] == '\0' ||
      !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &number, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--listen takes HOST:PORT, such as 127.0.0.1:8080, not “%s”."), text);
      return FALSE;
    }
  name = g_strndup (text, colon - text);
  /* [::1]:8080 */
  if (name[0] == '[' && name[strlen (name) - 1] == ']')
    {
      char *inner = g_strndup (name + 1, strlen (name) - 2);

      g_free (name);
      name = inner;
    }
  *host = g_steal_pointer (&name);
  *port = (guint16) number;
  return TRUE;
}

static gboolean
is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_str_equal (host, "localhost"))
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

static gboolean
has_school (ZhStore *store)
{
  sqlite3_stmt *stmt = zh_store_prepare (store, "SELECT count(*) FROM school", NULL);
  gboolean found = FALSE;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    found = sqlite3_column_int64 (stmt, 0) > 0;
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return found;
}

/* With --demo, an empty data folder gets the generated demo school (scale 1, seed 1, up to today)
 * before the service opens it: the generator fills the file in one bulk transaction, which needs
 * the database to itself. */
static gboolean
generate_demo (const char  *data_dir,
               double       scale,
               GError     **error)
{
  g_autofree char *path = g_build_filename (data_dir, "zhurnal.sqlite", NULL);
  g_autoptr(ZhStore) store = NULL;
  ZhDemoOptions options = { .scale = scale, .seed = 1, .today = NULL };
  ZhDemoStats stats;

  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot create the data folder “%s”: %s"), data_dir, g_strerror (saved_errno));
      return FALSE;
    }
  store = zh_store_open (path, ZH_STORE_FLAGS_BULK_LOAD, error);
  if (store == NULL)
    return FALSE;
  if (has_school (store))
    return TRUE;

  g_printerr ("%s\n", _("Generating the demo school…"));
  if (!zh_demo_generate (store, &options, NULL, NULL, &stats, error))
    return FALSE;
  g_printerr (_("The demo school is ready: %u classes, %u students, %u teachers (%.1f s).\n"),
              stats.n_classes, stats.n_students, stats.n_teachers, stats.seconds);
  return TRUE;
}

/* Make the demo school ready: give its rows revs, give the demo logins the password "demo", and
 * print the accounts. */
static gboolean
prepare_demo (ZhServer  *server,
              GError   **error)
{
  ZhStore *store = zh_server_get_store (server);
  g_autofree char *accounts = NULL;

  if (!has_school (store))
    {
      g_set_error (error, ZH_SERVER_ERROR, ZH_SERVER_ERROR_DEMO,
                   _("The data folder holds no school to serve as the demo school."));
      return FALSE;
    }
  if (!zh_server_prepare_demo (store, error))
    return FALSE;
  accounts = zh_server_describe_demo_accounts (store);
  g_print ("%s", accounts);
  return TRUE;
}

static gboolean
stop_cb (gpointer user_data)
{
  GMainLoop *loop = user_data;

  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *host = NULL;
  g_autofree char *tls_certificate = NULL;
  g_autofree char *tls_key = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  guint16 port = 8080;
  gboolean demo = FALSE;
  double demo_scale = 1;
  gboolean allow_remote = FALSE;
  gboolean version = FALSE;
  guint term_id, int_id;
  GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir, N_("Folder of the service’s database"), N_("DIR") },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen, N_("Address to listen on (default 127.0.0.1:8080)"), N_("HOST:PORT") },
    { "demo", 0, 0, G_OPTION_ARG_NONE, &demo, N_("Fill an empty folder with the demo school"), NULL },
    { "demo-scale", 0, 0, G_OPTION_ARG_DOUBLE, &demo_scale, N_("Size of the demo school: 1 is 44 classes, 3 a large city school (default 1)"), N_("SCALE") },
    { "allow-remote", 0, 0, G_OPTION_ARG_NONE, &allow_remote, N_("Allow listening on an address other than the loopback (put a TLS proxy in front)"), NULL },
    { "tls-certificate", 0, 0, G_OPTION_ARG_FILENAME, &tls_certificate, N_("Serve https with this certificate (PEM, the chain after it)"), N_("FILE") },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, N_("The private key of the https certificate (PEM)"), N_("FILE") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Show the version"), NULL },
    { NULL }
  };

  /* SQLite counts its memory under one process-wide mutex by default; with four readers and a
   * writer that mutex is the busiest lock of the service, and nothing reads the counts. Must come
   * before the first connection. */
  sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
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

  if ((tls_certificate == NULL) != (tls_key == NULL))
    {
      g_printerr ("%s\n", _("zhurnal-server: give both --tls-certificate and --tls-key, or "
                            "neither."));
      return 2;
    }
  if (tls_certificate != NULL)
    {
      certificate = g_tls_certificate_new_from_files (tls_certificate, tls_key, &error);
      if (certificate == NULL)
        {
          g_printerr (_("zhurnal-server: cannot use the certificate “%s” with the key “%s”: %s\n"),
                      tls_certificate, tls_key, error->message);
          return 2;
        }
    }

  if (listen == NULL)
    host = g_strdup ("127.0.0.1");
  else if (!parse_listen (listen, &host, &port, &error))
    {
      g_printerr ("zhurnal-server: %s\n", error->message);
      return 2;
    }
  if (!allow_remote && !is_loopback (host))
    {
      g_printerr (_("zhurnal-server: %s is not a loopback address; serve https "
                    "(--tls-certificate, --tls-key) or put a TLS proxy in front, and pass "
                    "--allow-remote.\n"), host);
      return 2;
    }

  if (demo && !generate_demo (data_dir, demo_scale, &error))
    {
      g_printerr ("zhurnal-server: %s\n", error->message);
      return EXIT_FAILURE;
    }

  server = zh_server_new (data_dir, &error);
  if (server == NULL)
    {
      g_printerr ("zhurnal-server: %s\n", error->message);
      return EXIT_FAILURE;
    }
  if (demo && !prepare_demo (server, &error))
    {
      g_printerr ("zhurnal-server: %s\n", error->message);
      return EXIT_FAILURE;
    }
  if (certificate != NULL)
    zh_server_set_tls_certificate (server, certificate);
  if (!zh_server_listen (server, host, port, &error))
    {
      g_printerr ("zhurnal-server: %s\n", error->message);
      return EXIT_FAILURE;
    }

  /* Stopping gracefully is promised from the moment the address is printed. */
  loop = g_main_loop_new (NULL, FALSE);
  term_id = g_unix_signal_add (SIGTERM, stop_cb, loop);
  int_id = g_unix_signal_add (SIGINT, stop_cb, loop);

  /* Scripts and tests read this line for the address: it is not translated. */
  if (strchr (host, ':') != NULL)
    g_print ("Listening on %s://[%s]:%u\n", certificate != NULL ? "https" : "http", host,
             zh_server_get_port (server));
  else
    g_print ("Listening on %s://%s:%u\n", certificate != NULL ? "https" : "http", host,
             zh_server_get_port (server));
  fflush (stdout);

  g_main_loop_run (loop);
  g_source_remove (term_id);
  g_source_remove (int_id);

  zh_server_shutdown (server);
  return EXIT_SUCCESS;
}
