/* zh-cli.c: what the account and sync commands of zhurnalctl share. */
#define G_LOG_DOMAIN "zhurnalctl"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include "zh-cli.h"

/* The longest password read, in bytes. */
#define MAX_PASSWORD 1024

/* zh_cli_account_options_clear: free the strings of @options. */
void
zh_cli_account_options_clear (ZhCliAccountOptions *options)
{
  g_clear_pointer (&options->server, g_free);
  g_clear_pointer (&options->user, g_free);
}

/* zh_cli_add_account_options: add --server and --user to @context, filling @options. */
void
zh_cli_add_account_options (GOptionContext      *context,
                            ZhCliAccountOptions *options)
{
  GOptionEntry entries[] = {
    { "server", 's', 0, G_OPTION_ARG_STRING, &options->server,
      N_("The journal service (default: that of the current account)"), N_("URL") },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &options->user,
      N_("The login (default: that of the current account)"), N_("LOGIN") },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
}

/* zh_cli_parse: parse the options of `zhurnalctl @command`; FALSE (with the reason printed) on a
 * usage error, which the command answers with ZH_CLI_USAGE. */
gboolean
zh_cli_parse (GOptionContext   *context,
              const char       *command,
              int              *argc,
              char           ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = g_strdup_printf ("zhurnalctl %s", command);

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_set_prgname (prgname);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      zh_cli_print_usage_error (command, error->message);
      return FALSE;
    }
  if (*argc > 1)
    {
      g_autofree char *message = g_strdup_printf (_("Unexpected argument “%s”."), (*argv)[1]);

      zh_cli_print_usage_error (command, message);
      return FALSE;
    }
  return TRUE;
}

/* zh_cli_get_account: (transfer full): the account named by @options, filling in what they leave
 * out from the current account. */
ZhAccount *
zh_cli_get_account (ZhCliAccountOptions  *options,
                    GError              **error)
{
  g_autoptr(ZhAccount) current = NULL;

  if (options->server != NULL && options->user != NULL)
    return zh_account_new (options->server, options->user, error);
  current = zh_account_new_current (error);
  if (current == NULL)
    return NULL;
  if (options->server == NULL && options->user == NULL)
    return g_steal_pointer (&current);
  return zh_account_new (options->server != NULL ? options->server : zh_account_get_server_url (current),
                         options->user != NULL ? options->user : zh_account_get_login (current),
                         error);
}

/* zh_cli_signed_in_client: (transfer full): a client of @account's service with its kept token. */
ZhClient *
zh_cli_signed_in_client (ZhAccount  *account,
                         GError    **error)
{
  g_autoptr(ZhClient) client = NULL;
  char *token;

  client = zh_account_new_client (account, error);
  if (client == NULL)
    return NULL;
  token = zh_account_lookup_token (account, NULL, error);
  if (token == NULL)
    return NULL;
  zh_client_set_token (client, token);
  zh_cli_wipe_free (token);
  return g_steal_pointer (&client);
}

/* zh_cli_print_error: "zhurnalctl COMMAND: message" on standard error. */
void
zh_cli_print_error (const char   *command,
                    const GError *error)
{
  fprintf (stderr, "zhurnalctl %s: %s\n", command, error->message);
  if (g_error_matches (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_UNAUTHORIZED))
    fprintf (stderr, "%s\n", _("The session has ended or the password is wrong; sign in again with "
                               "“zhurnalctl login”."));
}

/* zh_cli_print_usage_error: a usage error of `zhurnalctl @command`, with a pointer to --help. */
void
zh_cli_print_usage_error (const char *command,
                          const char *message)
{
  fprintf (stderr, "zhurnalctl %s: %s\n", command, message);
  fprintf (stderr, _("See “zhurnalctl %s --help”.\n"), command);
}

/* zh_cli_wipe_free: overwrite a secret, then free it. */
void
zh_cli_wipe_free (char *secret)
{
  if (secret == NULL)
    return;
  memset (secret, 0, strlen (secret));
  g_free (secret);
}

static struct termios saved_termios;
static volatile sig_atomic_t echo_off;

/* Ctrl-C while the password is typed must not leave the terminal without echo. */
static void
restore_echo_and_die (int signum)
{
  if (echo_off)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved_termios);
  signal (signum, SIG_DFL);
  raise (signum);
}

/* zh_cli_read_password: (transfer full): a password typed on the terminal without echo after
 * @prompt, or — when standard input is not a terminal (a script) — its first line. The caller
 * frees it with zh_cli_wipe_free. */
char *
zh_cli_read_password (const char  *prompt,
                      GError     **error)
{
  char buffer[MAX_PASSWORD + 2];
  gboolean tty = isatty (STDIN_FILENO);
  struct sigaction action = { 0 }, old_int, old_term;
  char *password = NULL;
  gsize length;

  if (tty)
    {
      fprintf (stderr, "%s", prompt);
      fflush (stderr);
      if (tcgetattr (STDIN_FILENO, &saved_termios) == 0)
        {
          struct termios quiet = saved_termios;

          action.sa_handler = restore_echo_and_die;
          sigaction (SIGINT, &action, &old_int);
          sigaction (SIGTERM, &action, &old_term);
          quiet.c_lflag &= ~(tcflag_t) ECHO;
          quiet.c_lflag |= ECHONL;
          echo_off = tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
    }

  if (fgets (buffer, sizeof buffer, stdin) != NULL)
    {
      length = strlen (buffer);
      if (length > 0 && buffer[length - 1] == '\n')
        buffer[--length] = '\0';
      if (length > 0 && buffer[length - 1] == '\r')
        buffer[--length] = '\0';
      if (length > MAX_PASSWORD)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     _("The password is longer than %d bytes."), MAX_PASSWORD);
      else if (length == 0)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                             _("No password was given."));
      else
        password = g_strdup (buffer);
    }
  else
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         tty ? _("No password was given.")
                             : _("No password on standard input (give it as its first line)."));
  memset (buffer, 0, sizeof buffer);

  if (echo_off)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved_termios);
      echo_off = FALSE;
    }
  if (tty)
    {
      sigaction (SIGINT, &old_int, NULL);
      sigaction (SIGTERM, &old_term, NULL);
    }
  return password;
}

/* zh_cli_wait: (transfer none): run the main context until @slot is filled by
 * zh_cli_got_result_cb, and return it. */
GAsyncResult *
zh_cli_wait (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* zh_cli_got_result_cb: an async callback that keeps the result in the GAsyncResult ** given. */
void
zh_cli_got_result_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* zh_cli_format_count: (transfer full): "1100000" → "1 100 000", as Russian tables group digits. */
char *
zh_cli_format_count (guint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  GString *out = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ' ');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

/* zh_cli_format_time: (transfer full): seconds since the epoch as local "DD.MM.YYYY HH:MM". */
char *
zh_cli_format_time (gint64 seconds)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (seconds);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  return local != NULL ? g_date_time_format (local, "%d.%m.%Y %H:%M") : g_strdup ("?");
}
