/* zh-account.h: ZhAccount — one sign-in (a service and a login) on this computer: where its files
 * live and where its session token is kept (docs/sync.md "Accounts").
 *
 * An account's folder is the folder of its offline copy, $XDG_DATA_HOME/zhurnal/<host>_<port>/
 * <login>/ (zh_offline_build_path). The token of its session is kept in the Secret Service
 * (libsecret, schema "io.github.zhurnal.Token", attributes server and login); where no Secret
 * Service answers (a bare session, CI) it is kept in the file `token` of the account's folder,
 * mode 0600, and the caller is told so. The password is never kept anywhere.
 *
 * An account may trust its own certificate authorities besides the system's (a region's or a
 * school's CA): a copy of their PEM file is kept as `ca.pem` in the account's folder, and
 * zh_account_new_client gives the account's clients that trust.
 */
#pragma once

#include <gio/gio.h>

#include "zh-client.h"
#include "zh-offline.h"

G_BEGIN_DECLS

#define ZH_ACCOUNT_ERROR (zh_account_error_quark ())
GQuark zh_account_error_quark (void);

/* ZhAccountError: why an account action failed. */
typedef enum
{
  ZH_ACCOUNT_ERROR_INVALID,       /* the service's address or the login is not valid */
  ZH_ACCOUNT_ERROR_NOT_SIGNED_IN, /* no token is kept for the account: sign in first */
  ZH_ACCOUNT_ERROR_NO_ACCOUNT,    /* no account was named and none is current */
  ZH_ACCOUNT_ERROR_FILE,          /* a file of the account cannot be read or written */
} ZhAccountError;

/* Where a token is kept. */
typedef enum
{
  ZH_TOKEN_STORE_NONE,    /*< nick=none >*/    /* nowhere: not signed in */
  ZH_TOKEN_STORE_KEYRING, /*< nick=keyring >*/ /* the Secret Service (the desktop's keyring) */
  ZH_TOKEN_STORE_FILE,    /*< nick=file >*/    /* the 0600 file `token` of the account's folder */
} ZhTokenStore;

/* The libsecret schema name of the tokens. */
#define ZH_ACCOUNT_SECRET_SCHEMA "io.github.zhurnal.Token"

#define ZH_TYPE_ACCOUNT (zh_account_get_type ())
G_DECLARE_FINAL_TYPE (ZhAccount, zh_account, ZH, ACCOUNT, GObject)

ZhAccount  *zh_account_new              (const char    *server_url,
                                         const char    *login,
                                         GError       **error);
ZhAccount  *zh_account_new_current      (GError       **error);
const char *zh_account_get_server_url   (ZhAccount     *self);
const char *zh_account_get_login        (ZhAccount     *self);
const char *zh_account_get_dir          (ZhAccount     *self);
const char *zh_account_get_offline_path (ZhAccount     *self);

gboolean    zh_account_make_current     (ZhAccount     *self,
                                         GError       **error);
gboolean    zh_account_is_current       (ZhAccount     *self);
ZhOffline  *zh_account_open_offline     (ZhAccount     *self,
                                         GError       **error);

char       *zh_account_get_ca_file      (ZhAccount     *self);
gboolean    zh_account_set_ca_file      (ZhAccount     *self,
                                         const char    *path,
                                         GError       **error);
ZhClient   *zh_account_new_client       (ZhAccount     *self,
                                         GError       **error);

gboolean    zh_account_store_token      (ZhAccount     *self,
                                         const char    *token,
                                         ZhTokenStore  *where,
                                         char         **notice,
                                         GError       **error);
char       *zh_account_lookup_token     (ZhAccount     *self,
                                         ZhTokenStore  *where,
                                         GError       **error);
gboolean    zh_account_forget_token     (ZhAccount     *self,
                                         GError       **error);

G_END_DECLS
