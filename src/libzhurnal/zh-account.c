/* zh-account.c: ZhAccount — an account's folder, the current account, and its token in the
 * Secret Service or, where none answers, in a 0600 file (docs/sync.md "Accounts"). */
#define G_LOG_DOMAIN "zh-account"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "zh-account.h"

#define TOKEN_FILE   "token"
#define CURRENT_FILE "current"
#define CURRENT_GROUP "account"

struct _ZhAccount
{
  GObject  parent_instance;

  char    *server_url;
  char    *login;
  char    *offline_path;
  char    *dir;
};

G_DEFINE_FINAL_TYPE (ZhAccount, zh_account, G_TYPE_OBJECT)
G_DEFINE_QUARK (zh-account-error-quark, zh_account_error)

static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    ZH_ACCOUNT_SECRET_SCHEMA, SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "login", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

/* Overwrite a secret before its memory goes back to the allocator. */
static void
wipe_free (char *secret)
{
  if (secret == NULL)
    return;
  memset (secret, 0, strlen (secret));
  g_free (secret);
}

static void
zh_account_finalize (GObject *object)
{
  ZhAccount *self = ZH_ACCOUNT (object);

  g_free (self->server_url);
  g_free (self->login);
  g_free (self->offline_path);
  g_free (self->dir);

  G_OBJECT_CLASS (zh_account_parent_class)->finalize (object);
}

static void
zh_account_class_init (ZhAccountClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = zh_account_finalize;
}

static void
zh_account_init (ZhAccount *self)
{
}

/* zh_account_new: (transfer full): the account of @login at the service @server_url (nothing is
 * made on disk yet); NULL with ZH_ACCOUNT_ERROR_INVALID when they name no service and login. */
ZhAccount *
zh_account_new (const char  *server_url,
                const char  *login,
                GError     **error)
{
  g_autoptr(ZhAccount) self = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *scheme;

  g_return_val_if_fail (server_url != NULL, NULL);
  g_return_val_if_fail (login != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  uri = g_uri_parse (server_url, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (scheme == NULL ||
      (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0))
    {
      g_set_error (error, ZH_ACCOUNT_ERROR, ZH_ACCOUNT_ERROR_INVALID,
                   _("“%s” is not the address of a journal service (http://host:port or "
                     "https://host:port)."), server_url);
      return NULL;
    }

  self = g_object_new (ZH_TYPE_ACCOUNT, NULL);
  self->offline_path = zh_offline_build_path (server_url, login, &local_error);
  if (self->offline_path == NULL)
    {
      g_set_error_literal (error, ZH_ACCOUNT_ERROR, ZH_ACCOUNT_ERROR_INVALID, local_error->message);
      return NULL;
    }
  self->server_url = g_strdup (server_url);
  self->login = g_strdup (login);
  self->dir = g_path_get_dirname (self->offline_path);
  return g_steal_pointer (&self);
}

static char *
current_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "zhurnal", CURRENT_FILE, NULL);
}

/* zh_account_new_current: (transfer full): the account signed in last on this computer (under
 * this XDG_DATA_HOME); NULL with ZH_ACCOUNT_ERROR_NO_ACCOUNT when there is none. */
ZhAccount *
zh_account_new_current (GError **error)
{
  g_autofree char *path = current_path ();
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *server_url = NULL;
  g_autofree char *login = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error_literal (error, ZH_ACCOUNT_ERROR, ZH_ACCOUNT_ERROR_NO_ACCOUNT,
                             _("No account has signed in on this computer yet; sign in with "
                               "“zhurnalctl login --server URL --user LOGIN”."));
      else
        g_set_error (error, ZH_ACCOUNT_ERROR, ZH_ACCOUNT_ERROR_FILE,
                     _("Cannot read the current account from “%s”: %s"), path,
                     local_error->message);
      return NULL;
    }
  server_url = g_key_file_get_string (file, CURRENT_GROUP, "server", NULL);
  login = g_key_file_get_string (file, CURRENT_GROUP, "login", NULL);
  if (server_url == NULL || login == NULL)
    {
      g_set_error (error, ZH_ACCOUNT_ERROR, ZH_ACCOUNT_ERROR_FILE,
                   _("The file “%s” does not name an account (server and login); sign in again."),
                   path);
      return NULL;
    }
  return zh_account_new (server_url, login, error);
}

/* zh_account_get_server_url: the service's address. */
const char *
zh_account_get_server_url (ZhAccount *self)
{
  g_return_val_if_fail (ZH_IS_ACCOUNT (self), NULL);

  return self->server_url;
}

/* zh_account_get_login: the login. */
const char *
zh_account_get_login (ZhAccount *self)
{
  g_return_val_if_fail (ZH_IS_ACCOUNT (self), NULL);

  return self->login;
}

/* zh_account_get_dir: the account's folder (it may not exist yet). */
const char *
zh_account_get_dir (ZhAccount *self)
{
  g_return_val_if_fail (ZH_IS_ACCOUNT (self), NULL);

  return self->dir;
}

/* zh_account_get_offline_path: the file of the account's offline copy. */
const char *
zh_account_get_offline_path (ZhAccount *self)
{
  g_return_val_if_fail (ZH_IS_ACCOUNT (self), NULL);

  return self->offline_path;
}

/* zh_account_make_current: make this the account that commands use when none is named. */
gboolean
zh_account_make_current (ZhAccount  *self,
                         GError    **error)
{
  g_autofree char *path = current_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *text = NULL;
  gsize length;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (ZH_IS_ACCOUNT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_key_file_set_string (file, CURRENT_GROUP, "server", self->server_url);
  g_key_file_set_string (file, CURRENT_GROUP, "login", self->login);
  text = g_key_file_to_data (file, &length, NULL);
  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      !g_file_set_contents_full (path, text, length, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                 &local_error))
    {
      g_set_error (error, ZH_ACCOUNT_ERROR, ZH_ACCOUNT_ERROR_FILE,
                   _("Cannot write the current account to “%s”: %s"), path,
                   local_error != NULL ? local_error->message : g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

/* zh_account_is_current: whether this is the current account. */
gboolean
zh_account_is_current (ZhAccount *self)
{
  g_autoptr(ZhAccount) current = NULL;

  g_return_val_if_fail (ZH_IS_ACCOUNT (self), FALSE);

  current = zh_account_new_current (NULL);
  return current != NULL && g_str_equal (current->offline_path, self->offline_path);
}

/* zh_account_open_offline: (transfer full): the account's offline copy, made on first use. */
ZhOffline *
zh_account_open_offline (ZhAccount  *self,
                         GError    **error)
{
  g_return_val_if_fail (ZH_IS_ACCOUNT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return zh_offline_open (self->server_url, self->login, error);
}

/* ---- the token ------------------------------------------------------------------------------ */

static char *
token_path (ZhAccount *self)
{
  return g_build_filename (self->dir, TOKEN_FILE, NULL);
}

static gboolean
write_token_file (ZhAccount   *self,
                  const char  *token,
                  GError     **error)
{
  g_autofree char *path = token_path (self);
  g_autoptr(GError) local_error = NULL;

  if (g_mkdir_with_parents (self->dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, ZH_ACCOUNT_ERROR, ZH_ACCOUNT_ERROR_FILE,
                   _("Cannot make the account’s folder “%s”: %s"), self->dir,
                   g_strerror (saved_errno));
      return FALSE;
    }
  /* Written to a new file made 0600 and renamed over the old one: the token is never readable by
   * others, not even for an instant, and a crash leaves the old token or the new one. */
  if (!g_file_set_contents_full (path, token, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                 &local_error))
    {
      g_set_error (error, ZH_ACCOUNT_ERROR, ZH_ACCOUNT_ERROR_FILE,
                   _("Cannot keep the session token in “%s”: %s"), path, local_error->message);
      return FALSE;
    }
  return TRUE;
}

static void
remove_token_file (ZhAccount *self)
{
  g_autofree char *path = token_path (self);

  if (g_unlink (path) != 0 && errno != ENOENT)
    g_warning ("cannot remove %s: %s", path, g_strerror (errno));
}

/* Whether the Secret Service has a default collection, unlocked. Storing into a collection that is
 * missing or locked, or reading from it, makes the service ask the person at the screen to make or
 * unlock the keyring, and libsecret's calls wait for that answer without limit: a sign-in in a
 * session nobody watches (a test under Xvfb, a remote desktop) then never ends, and the window
 * waits on it. So the token only goes to a keyring that is ready; otherwise to the file, with the
 * reason. */
static gboolean
keyring_ready (GError **error)
{
  g_autoptr(SecretService) service = secret_service_get_sync (SECRET_SERVICE_NONE, NULL, error);
  g_autoptr(SecretCollection) collection = NULL;

  if (service == NULL)
    return FALSE;
  collection = secret_collection_for_alias_sync (service, SECRET_COLLECTION_DEFAULT,
                                                 SECRET_COLLECTION_NONE, NULL, error);
  if (collection == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, ZH_ACCOUNT_ERROR, ZH_ACCOUNT_ERROR_FILE, "%s",
                     _("the keyring has no default collection, and making one would ask for a "
                       "new keyring password"));
      return FALSE;
    }
  if (secret_collection_get_locked (collection))
    {
      g_set_error (error, ZH_ACCOUNT_ERROR, ZH_ACCOUNT_ERROR_FILE, "%s",
                   _("the default keyring is locked"));
      return FALSE;
    }
  return TRUE;
}

/* zh_account_store_token: keep @token for the account — in the Secret Service, or where none
 * answers in the 0600 file `token` of the account's folder, setting @notice (translated, for the
 * user) to say so and why. @where tells which. */
gboolean
zh_account_store_token (ZhAccount     *self,
                        const char    *token,
                        ZhTokenStore  *where,
                        char         **notice,
                        GError       **error)
{
  g_autoptr(GError) secret_error = NULL;
  g_autofree char *label = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (ZH_IS_ACCOUNT (self), FALSE);
  g_return_val_if_fail (token != NULL && *token != '\0', FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (where != NULL)
    *where = ZH_TOKEN_STORE_NONE;
  if (notice != NULL)
    *notice = NULL;

  label = g_strdup_printf (_("Zhurnal: %s at %s"), self->login, self->server_url);
  if (keyring_ready (&secret_error) &&
      secret_password_store_sync (token_schema (), SECRET_COLLECTION_DEFAULT, label, token, NULL,
                                  &secret_error, "server", self->server_url,
                                  "login", self->login, NULL))
    {
      /* A token kept in a file before a keyring was there is stale now: it must not linger. */
      remove_token_file (self);
      if (where != NULL)
        *where = ZH_TOKEN_STORE_KEYRING;
      return TRUE;
    }

  g_debug ("the Secret Service did not keep the token: %s", secret_error->message);
  if (!write_token_file (self, token, error))
    return FALSE;
  path = token_path (self);
  if (notice != NULL)
    *notice = g_strdup_printf (_("No keyring (Secret Service) answered: %s. The session token is "
                                 "kept in the file “%s” instead, readable by you only."),
                               secret_error->message, path);
  if (where != NULL)
    *where = ZH_TOKEN_STORE_FILE;
  return TRUE;
}

/* zh_account_lookup_token: (transfer full): the account's kept token, from the Secret Service or
 * the account's token file; NULL with ZH_ACCOUNT_ERROR_NOT_SIGNED_IN when neither has one. */
char *
zh_account_lookup_token (ZhAccount     *self,
                         ZhTokenStore  *where,
                         GError       **error)
{
  g_autoptr(GError) secret_error = NULL;
  g_autoptr(GError) file_error = NULL;
  g_autofree char *path = NULL;
  char *secret;
  char *text = NULL;

  g_return_val_if_fail (ZH_IS_ACCOUNT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (where != NULL)
    *where = ZH_TOKEN_STORE_NONE;

  secret = keyring_ready (&secret_error)
           ? secret_password_lookup_sync (token_schema (), NULL, &secret_error,
                                          "server", self->server_url, "login", self->login, NULL)
           : NULL;
  if (secret != NULL)
    {
      char *token = g_strdup (secret);

      secret_password_free (secret);
      if (where != NULL)
        *where = ZH_TOKEN_STORE_KEYRING;
      return token;
    }
  if (secret_error != NULL)
    g_debug ("the Secret Service did not answer: %s", secret_error->message);

  path = token_path (self);
  if (!g_file_get_contents (path, &text, NULL, &file_error))
    {
      if (g_error_matches (file_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, ZH_ACCOUNT_ERROR, ZH_ACCOUNT_ERROR_NOT_SIGNED_IN,
                     _("%s is not signed in to %s; sign in with “zhurnalctl login”."),
                     self->login, self->server_url);
      else
        g_set_error (error, ZH_ACCOUNT_ERROR, ZH_ACCOUNT_ERROR_FILE,
                     _("Cannot read the session token from “%s”: %s"), path, file_error->message);
      return NULL;
    }
  g_strstrip (text);
  if (*text == '\0')
    {
      wipe_free (text);
      g_set_error (error, ZH_ACCOUNT_ERROR, ZH_ACCOUNT_ERROR_NOT_SIGNED_IN,
                   _("%s is not signed in to %s; sign in with “zhurnalctl login”."),
                   self->login, self->server_url);
      return NULL;
    }
  if (where != NULL)
    *where = ZH_TOKEN_STORE_FILE;
  return text;
}

/* zh_account_forget_token: remove the account's token from the Secret Service and its file. */
gboolean
zh_account_forget_token (ZhAccount  *self,
                         GError    **error)
{
  g_autoptr(GError) secret_error = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (ZH_IS_ACCOUNT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (keyring_ready (&secret_error) &&
      !secret_password_clear_sync (token_schema (), NULL, &secret_error,
                                   "server", self->server_url, "login", self->login, NULL) &&
      secret_error != NULL)
    g_debug ("the Secret Service did not answer: %s", secret_error->message);

  path = token_path (self);
  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      g_set_error (error, ZH_ACCOUNT_ERROR, ZH_ACCOUNT_ERROR_FILE,
                   _("Cannot remove the session token “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}
