/* zh-cmd-sync.c: `zhurnalctl sync` — push the changes waiting, pull the service's, with progress. */
#define G_LOG_DOMAIN "zhurnalctl"

#include "config.h"

#include <stdio.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include "zh-cli.h"
#include "zh-cmds.h"
#include "zh-sync.h"

/* How often the progress is redrawn on a terminal, and written as a line elsewhere (µs). */
#define TTY_INTERVAL   (100 * 1000)
#define PLAIN_INTERVAL (2 * G_USEC_PER_SEC)

typedef struct
{
  gboolean tty;
  gint64   started;
  gint64   shown;         /* when the progress was last shown (monotonic µs) */
  guint64  rows;
  guint    waiting_at_start;
  guint    frame;
  ZhSync  *sync;
} Progress;

static void
show (Progress *p,
      gboolean  force)
{
  static const char *const spinner[] = { "|", "/", "-", "\\" };
  gint64 now = g_get_monotonic_time ();
  double seconds = (now - p->started) / (double) G_USEC_PER_SEC;
  g_autofree char *rows = NULL;
  g_autofree char *rate = NULL;
  g_autofree char *line = NULL;
  guint waiting = zh_sync_get_n_waiting (p->sync);

  if (!force && now - p->shown < (p->tty ? TTY_INTERVAL : PLAIN_INTERVAL))
    return;
  p->shown = now;
  rows = zh_cli_format_count (p->rows);
  rate = zh_cli_format_count (seconds > 0 ? (guint64) (p->rows / seconds) : 0);
  if (p->rows == 0 && waiting > 0)
    line = g_strdup_printf (ngettext ("sending: %u change waiting", "sending: %u changes waiting",
                                      waiting), waiting);
  else
    /* Translators: the progress of a sync: rows of the journal received, and how fast. */
    line = g_strdup_printf (_("rows received: %s, %s rows/s"), rows, rate);
  if (p->tty)
    fprintf (stderr, "\r%s %s\033[K", spinner[p->frame++ % G_N_ELEMENTS (spinner)], line);
  else
    fprintf (stderr, "%s\n", line);
  fflush (stderr);
}

static void
progress_cb (ZhSync   *sync,
             guint64   rows,
             gint64    cursor,
             Progress *p)
{
  p->rows = rows;
  show (p, FALSE);
}

static void
waiting_cb (GObject    *object,
            GParamSpec *pspec,
            Progress   *p)
{
  show (p, FALSE);
}

/* zh_cmd_sync: `zhurnalctl sync [--server URL] [--user LOGIN]`. */
int
zh_cmd_sync (int    argc,
             char **argv)
{
  g_auto(ZhCliAccountOptions) options = { 0 };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhAccount) account = NULL;
  g_autoptr(ZhClient) client = NULL;
  g_autoptr(ZhOffline) offline = NULL;
  g_autoptr(ZhSync) sync = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  gboolean quiet = FALSE;
  GOptionEntry entries[] = {
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Show no progress"), NULL },
    { NULL }
  };
  Progress p = { 0 };
  gboolean ok;
  double seconds;
  guint rejected, conflicts, waiting;

  g_option_context_set_summary (context, _("Send the changes made on this computer to the journal "
                                           "service, then bring the offline copy up to date."));
  zh_cli_add_account_options (context, &options);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!zh_cli_parse (context, "sync", &argc, &argv))
    return ZH_CLI_USAGE;

  account = zh_cli_get_account (&options, &error);
  if (account == NULL ||
      (client = zh_cli_signed_in_client (account, &error)) == NULL ||
      (offline = zh_account_open_offline (account, &error)) == NULL)
    {
      zh_cli_print_error ("sync", error);
      return ZH_CLI_FAILURE;
    }

  sync = zh_sync_new (offline, client);
  p.tty = isatty (STDERR_FILENO);
  p.started = g_get_monotonic_time ();
  p.sync = sync;
  p.waiting_at_start = zh_sync_get_n_waiting (sync);
  if (!quiet)
    {
      g_signal_connect (sync, "progress", G_CALLBACK (progress_cb), &p);
      g_signal_connect (sync, "notify::n-waiting", G_CALLBACK (waiting_cb), &p);
    }

  zh_sync_run_async (sync, NULL, zh_cli_got_result_cb, &result);
  ok = zh_sync_run_finish (sync, zh_cli_wait (&result), &error);
  if (!quiet && p.tty)
    fprintf (stderr, "\r\033[K");
  seconds = (g_get_monotonic_time () - p.started) / (double) G_USEC_PER_SEC;
  if (!ok)
    {
      zh_cli_print_error ("sync", error);
      return ZH_CLI_FAILURE;
    }

  rejected = zh_sync_get_n_rejected (sync);
  conflicts = zh_sync_get_n_conflicts (sync);
  waiting = zh_sync_get_n_waiting (sync);
  {
    g_autofree char *rows = zh_cli_format_count (p.rows);
    guint sent = p.waiting_at_start > waiting ? p.waiting_at_start - waiting : 0;

    printf (_("Synced with %s in %.1f s: changes sent: %u, rows received: %s.\n"),
            zh_account_get_server_url (account), seconds, sent, rows);
  }
  if (waiting > 0)
    printf (ngettext ("%u change is still waiting to be sent.\n",
                      "%u changes are still waiting to be sent.\n", waiting), waiting);
  if (rejected > 0)
    printf (ngettext ("%u change was refused by the service; see “zhurnalctl status”.\n",
                      "%u changes were refused by the service; see “zhurnalctl status”.\n",
                      rejected), rejected);
  if (conflicts > 0)
    printf (ngettext ("%u change is in conflict with the service’s; see “zhurnalctl status”.\n",
                      "%u changes are in conflict with the service’s; see “zhurnalctl status”.\n",
                      conflicts), conflicts);
  return ZH_CLI_OK;
}
