/* zh-cmd-login.c: `zhurnalctl login` — sign in, keep only the session token (docs/sync.md
 * "Accounts"). */
#define G_LOG_DOMAIN "zhurnalctl"

#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>

#include "zh-cli.h"
#include "zh-cmds.h"

/* zh_cmd_login: `zhurnalctl login --server URL --user LOGIN [--ca-file FILE]`; the password is
 * asked for without echo on a terminal, or read from standard input's first line in a script.
 * --ca-file trusts a region's or a school's certificate authorities for this account, kept with
 * it once the sign-in succeeds. */
int
zh_cmd_login (int    argc,
              char **argv)
{
  g_auto(ZhCliAccountOptions) options = { 0 };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhAccount) account = NULL;
  g_autoptr(ZhClient) client = NULL;
  g_autoptr(ZhOffline) offline = NULL;
  g_autoptr(ZhStaff) staff = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *prompt = NULL;
  g_autofree char *notice = NULL;
  g_autofree char *ca_file = NULL;
  char *password;
  ZhTokenStore where = ZH_TOKEN_STORE_NONE;

  g_option_context_set_summary (context, _("Sign in to a journal service. The password is asked "
                                           "for (or read from standard input in a script) and "
                                           "never kept: only the session token is, in the "
                                           "keyring."));
  GOptionEntry entries[] = {
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file,
      N_("Trust the certificate authorities in this PEM file for this account, besides the "
         "system’s (a region’s or a school’s own)"), N_("FILE") },
    { NULL }
  };

  zh_cli_add_account_options (context, &options);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!zh_cli_parse (context, "login", &argc, &argv))
    return ZH_CLI_USAGE;

  account = zh_cli_get_account (&options, &error);
  if (account == NULL)
    {
      if (g_error_matches (error, ZH_ACCOUNT_ERROR, ZH_ACCOUNT_ERROR_NO_ACCOUNT))
        {
          zh_cli_print_usage_error ("login", _("Give the service and the login with --server URL "
                                               "--user LOGIN."));
          return ZH_CLI_USAGE;
        }
      zh_cli_print_error ("login", error);
      return ZH_CLI_FAILURE;
    }
  client = zh_account_new_client (account, &error);
  if (client == NULL)
    {
      zh_cli_print_error ("login", error);
      return g_error_matches (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_REQUEST) ? ZH_CLI_USAGE
                                                                             : ZH_CLI_FAILURE;
    }
  if (ca_file != NULL && !zh_client_set_ca_file (client, ca_file, &error))
    {
      zh_cli_print_error ("login", error);
      return ZH_CLI_FAILURE;
    }

  prompt = g_strdup_printf (_("Password of %s at %s: "), zh_account_get_login (account),
                            zh_account_get_server_url (account));
  password = zh_cli_read_password (prompt, &error);
  if (password == NULL)
    {
      zh_cli_print_error ("login", error);
      return ZH_CLI_FAILURE;
    }
  zh_client_login_async (client, zh_account_get_login (account), password, NULL,
                         zh_cli_got_result_cb, &result);
  staff = zh_client_login_finish (client, zh_cli_wait (&result), NULL, &error);
  zh_cli_wipe_free (password);
  if (staff == NULL)
    {
      zh_cli_print_error ("login", error);
      return ZH_CLI_FAILURE;
    }

  offline = zh_account_open_offline (account, &error);
  if (offline == NULL ||
      (ca_file != NULL && !zh_account_set_ca_file (account, ca_file, &error)) ||
      !zh_offline_set_account (offline, zh_account_get_server_url (account), staff, &error) ||
      !zh_account_store_token (account, zh_client_get_token (client), &where, &notice, &error) ||
      !zh_account_make_current (account, &error))
    {
      zh_cli_print_error ("login", error);
      return ZH_CLI_FAILURE;
    }
  if (notice != NULL)
    fprintf (stderr, "zhurnalctl login: %s\n", notice);

  printf (_("Signed in to %s as %s %s %s (%s).\n"), zh_account_get_server_url (account),
          staff->last_name, staff->first_name, staff->middle_name, staff->login);
  if (where == ZH_TOKEN_STORE_KEYRING)
    printf ("%s\n", _("The session token is kept in the keyring."));
  if (zh_offline_get_cursor (offline) == 0)
    printf ("%s\n", _("Run “zhurnalctl sync” to copy the journal to this computer."));
  return ZH_CLI_OK;
}
