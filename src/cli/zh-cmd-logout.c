/* zh-cmd-logout.c: `zhurnalctl logout` — end the session on the service and forget its token. */
#define G_LOG_DOMAIN "zhurnalctl"

#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>

#include "zh-cli.h"
#include "zh-cmds.h"

/* zh_cmd_logout: `zhurnalctl logout [--server URL] [--user LOGIN]`. The token is forgotten even
 * when the service cannot be reached (the session then ends by itself within 12 hours); the
 * offline copy and its unsent edits stay. */
int
zh_cmd_logout (int    argc,
               char **argv)
{
  g_auto(ZhCliAccountOptions) options = { 0 };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) service_error = NULL;
  g_autoptr(ZhAccount) account = NULL;
  g_autoptr(ZhClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  g_option_context_set_summary (context, _("Sign out: end the session on the service and forget "
                                           "its token. The offline copy and the changes not yet "
                                           "sent stay."));
  zh_cli_add_account_options (context, &options);
  if (!zh_cli_parse (context, "logout", &argc, &argv))
    return ZH_CLI_USAGE;

  account = zh_cli_get_account (&options, &error);
  if (account == NULL)
    {
      zh_cli_print_error ("logout", error);
      return ZH_CLI_FAILURE;
    }
  client = zh_cli_signed_in_client (account, &error);
  if (client == NULL)
    {
      zh_cli_print_error ("logout", error);
      return g_error_matches (error, ZH_ACCOUNT_ERROR, ZH_ACCOUNT_ERROR_NOT_SIGNED_IN)
             ? ZH_CLI_OK : ZH_CLI_FAILURE;
    }

  zh_client_logout_async (client, NULL, zh_cli_got_result_cb, &result);
  if (!zh_client_logout_finish (client, zh_cli_wait (&result), &service_error) &&
      !g_error_matches (service_error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_UNAUTHORIZED))
    fprintf (stderr, _("zhurnalctl logout: the service was not told (%s); the session ends by "
                       "itself within 12 hours.\n"), service_error->message);

  if (!zh_account_forget_token (account, &error))
    {
      zh_cli_print_error ("logout", error);
      return ZH_CLI_FAILURE;
    }
  printf (_("Signed out of %s (%s).\n"), zh_account_get_server_url (account),
          zh_account_get_login (account));
  return ZH_CLI_OK;
}
