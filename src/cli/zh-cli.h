/* zh-cli.h: what the account and sync commands of zhurnalctl share — choosing the account,
 * parsing options, reading a password, waiting for async calls, reporting errors. */
#pragma once

#include <gio/gio.h>

#include "zh-account.h"
#include "zh-client.h"
#include "zh-offline.h"

G_BEGIN_DECLS

/* Exit statuses of every command. */
#define ZH_CLI_OK      0
#define ZH_CLI_FAILURE 1
#define ZH_CLI_USAGE   2

/* The options --server URL and --user LOGIN, which name an account (default: the current one). */
typedef struct
{
  char *server;
  char *user;
} ZhCliAccountOptions;

void           zh_cli_account_options_clear (ZhCliAccountOptions *options);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ZhCliAccountOptions, zh_cli_account_options_clear)

void           zh_cli_add_account_options   (GOptionContext      *context,
                                             ZhCliAccountOptions *options);
gboolean       zh_cli_parse                 (GOptionContext      *context,
                                             const char          *command,
                                             int                 *argc,
                                             char              ***argv);
ZhAccount     *zh_cli_get_account           (ZhCliAccountOptions *options,
                                             GError             **error);
ZhClient      *zh_cli_signed_in_client      (ZhAccount           *account,
                                             GError             **error);

void           zh_cli_print_error           (const char          *command,
                                             const GError        *error);
void           zh_cli_print_usage_error     (const char          *command,
                                             const char          *message);

char          *zh_cli_read_password         (const char          *prompt,
                                             GError             **error);
void           zh_cli_wipe_free             (char                *secret);

GAsyncResult  *zh_cli_wait                  (GAsyncResult       **slot);
void           zh_cli_got_result_cb         (GObject             *source,
                                             GAsyncResult        *result,
                                             gpointer             user_data);

char          *zh_cli_format_count          (guint64              n);
char          *zh_cli_format_time           (gint64               seconds);

G_END_DECLS
