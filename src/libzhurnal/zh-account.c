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
#define CA_FILE      "ca.pem"
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

/* ---- the keyring, never blocking ------------------------------------------------------------ */

/* The Secret Service must never hold up a sign-in: a keyring that is locked, or missing, may pop a
 * prompt that nobody answers (a bare X session, Xvfb), and a hung daemon answers nothing. So the
 * calls below never ask to unlock or create a keyring, and each gives up after this long. */
#define KEYRING_TIMEOUT_S 3

/* A cancellable that a thread of its own cancels after KEYRING_TIMEOUT_S: libsecret's sync calls
 * run their own main loops, so a timeout source would not be dispatched. */
typedef struct
{
  GMutex        lock;
  GCond         cond;
  gboolean      done;
  gboolean      fired;
  GCancellable *cancellable;
  GThread      *thread;
} Watchdog;

static gpointer
watchdog_thread (gpointer data)
{
  Watchdog *dog = data;
  gint64 deadline = g_get_monotonic_time () + KEYRING_TIMEOUT_S * G_TIME_SPAN_SECOND;
  gboolean fire = FALSE;

  g_mutex_lock (&dog->lock);
  while (!dog->done && !fire)
    if (!g_cond_wait_until (&dog->cond, &dog->lock, deadline))
      fire = dog->fired = !dog->done;
  g_mutex_unlock (&dog->lock);
  if (fire)
    g_cancellable_cancel (dog->cancellable);
  return NULL;
}

static void
watchdog_start (Watchdog *dog)
{
  g_mutex_init (&dog->lock);
  g_cond_init (&dog->cond);
  dog->done = dog->fired = FALSE;
  dog->cancellable = g_cancellable_new ();
  dog->thread = g_thread_new ("zh-keyring-watchdog", watchdog_thread, dog);
}

/* Stop @dog; whether it fired (the keyring call was cut short). */
static gboolean
watchdog_stop (Watchdog *dog)
{
  gboolean fired;

  g_mutex_lock (&dog->lock);
  dog->done = TRUE;
  g_cond_signal (&dog->cond);
  g_mutex_unlock (&dog->lock);
  g_thread_join (dog->thread);
  fired = dog->fired;
  g_clear_object (&dog->cancellable);
  g_cond_clear (&dog->cond);
  g_mutex_clear (&dog->lock);
  return fired;
}

/* Replace a cancellation by the watchdog with why, for the user. */
static void
keyring_explain_timeout (gboolean   fired,
                         GError   **error)
{
  if (fired && error != NULL && *error != NULL &&
      g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (error);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   ngettext ("the keyring did not answer within %d second",
                             "the keyring did not answer within %d seconds", KEYRING_TIMEOUT_S),
                   KEYRING_TIMEOUT_S);
    }
}

static GHashTable *
token_attributes (ZhAccount *self)
{
  GHashTable *attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (attributes, (gpointer) "server", self->server_url);
  g_hash_table_insert (attributes, (gpointer) "login", self->login);
  return attributes;
}

/* Put @token in the default collection of the Secret Service, only if that exists and is unlocked:
 * no prompt is ever raised. */
static gboolean
keyring_store (ZhAccount   *self,
               const char  *label,
               const char  *token,
               GError     **error)
{
  g_autoptr(SecretService) service = NULL;
  g_autoptr(SecretCollection) collection = NULL;
  g_autoptr(SecretItem) item = NULL;
  g_autoptr(SecretValue) value = NULL;
  g_autoptr(GHashTable) attributes = token_attributes (self);
  Watchdog dog;
  gboolean fired;

  watchdog_start (&dog);
  service = secret_service_get_sync (SECRET_SERVICE_NONE, dog.cancellable, error);
  if (service != NULL)
    {
      collection = secret_collection_for_alias_sync (service, SECRET_COLLECTION_DEFAULT,
                                                     SECRET_COLLECTION_NONE, dog.cancellable,
                                                     error);
      if (collection == NULL && error != NULL && *error == NULL)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                             _("the keyring has no default collection, and Zhurnal does not ask "
                               "to make one"));
      else if (collection != NULL && secret_collection_get_locked (collection))
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                             _("the default keyring is locked, and Zhurnal does not ask to "
                               "unlock it"));
      else if (collection != NULL)
        {
          value = secret_value_new (token, -1, "text/plain");
          item = secret_item_create_sync (collection, token_schema (), attributes, label, value,
                                          SECRET_ITEM_CREATE_REPLACE, dog.cancellable, error);
        }
    }
  fired = watchdog_stop (&dog);
  keyring_explain_timeout (fired, error);
  return item != NULL;
}

/* (transfer full): the token kept in the Secret Service, from unlocked items only; NULL, with
 * @error set only when the service did not answer. */
static char *
keyring_lookup (ZhAccount  *self,
                GError    **error)
{
  g_autoptr(SecretService) service = NULL;
  g_autoptr(GHashTable) attributes = token_attributes (self);
  GList *items = NULL;
  char *token = NULL;
  Watchdog dog;

  watchdog_start (&dog);
  service = secret_service_get_sync (SECRET_SERVICE_NONE, dog.cancellable, error);
  if (service != NULL)
    items = secret_service_search_sync (service, token_schema (), attributes,
                                        SECRET_SEARCH_ALL | SECRET_SEARCH_LOAD_SECRETS,
                                        dog.cancellable, error);
  keyring_explain_timeout (watchdog_stop (&dog), error);
  for (GList *l = items; l != NULL && token == NULL; l = l->next)
    {
      g_autoptr(SecretValue) value = secret_item_get_secret (l->data);

      if (value != NULL && secret_value_get_text (value) != NULL)
        token = g_strdup (secret_value_get_text (value));
    }
  g_list_free_full (items, g_object_unref);
  return token;
}

/* Delete the account's unlocked items from the Secret Service (a locked one cannot be deleted
 * without a prompt, and is never used either). */
static void
keyring_clear (ZhAccount *self)
{
  g_autoptr(SecretService) service = NULL;
  g_autoptr(GHashTable) attributes = token_attributes (self);
  g_autoptr(GError) error = NULL;
  GList *items = NULL;
  Watchdog dog;

  watchdog_start (&dog);
  service = secret_service_get_sync (SECRET_SERVICE_NONE, dog.cancellable, &error);
  if (service != NULL)
    items = secret_service_search_sync (service, token_schema (), attributes, SECRET_SEARCH_ALL,
                                        dog.cancellable, &error);
  for (GList *l = items; l != NULL && error == NULL; l = l->next)
    if (!secret_item_get_locked (l->data))
      secret_item_delete_sync (l->data, dog.cancellable, &error);
  keyring_explain_timeout (watchdog_stop (&dog), &error);
  if (error != NULL)
    g_debug ("the Secret Service did not forget the token: %s", error->message);
  g_list_free_full (items, g_object_unref);
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

/* ---- its certificate authorities ------------------------------------------------------------ */

/* zh_account_get_ca_file: (transfer full) (nullable): the PEM file of the certificate
 * authorities the account trusts besides the system's, or NULL when it trusts the system's only. */
char *
zh_account_get_ca_file (ZhAccount *self)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (ZH_IS_ACCOUNT (self), NULL);

  path = g_build_filename (self->dir, CA_FILE, NULL);
  return g_file_test (path, G_FILE_TEST_IS_REGULAR) ? g_steal_pointer (&path) : NULL;
}

/* zh_account_set_ca_file: keep a copy of the certificate authorities in the PEM file @path for
 * the account (a copy: the file given may be moved or deleted later); NULL forgets them. */
gboolean
zh_account_set_ca_file (ZhAccount   *self,
                        const char  *path,
                        GError     **error)
{
  g_autofree char *kept = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length;

  g_return_val_if_fail (ZH_IS_ACCOUNT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  kept = g_build_filename (self->dir, CA_FILE, NULL);
  if (path == NULL)
    {
      if (g_unlink (kept) != 0 && errno != ENOENT)
        {
          int saved_errno = errno;

          g_set_error (error, ZH_ACCOUNT_ERROR, ZH_ACCOUNT_ERROR_FILE,
                       _("Cannot remove “%s”: %s"), kept, g_strerror (saved_errno));
          return FALSE;
        }
      return TRUE;
    }
  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, ZH_ACCOUNT_ERROR, ZH_ACCOUNT_ERROR_FILE,
                   _("Cannot read the certificate authorities in “%s”: %s"), path,
                   local_error->message);
      return FALSE;
    }
  if (g_mkdir_with_parents (self->dir, 0700) != 0 ||
      !g_file_set_contents_full (kept, contents, length, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                 &local_error))
    {
      g_set_error (error, ZH_ACCOUNT_ERROR, ZH_ACCOUNT_ERROR_FILE,
                   _("Cannot keep the certificate authorities in “%s”: %s"), kept,
                   local_error != NULL ? local_error->message : g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

/* zh_account_new_client: (transfer full): a client of the account's service that trusts the
 * account's certificate authorities too (no token set yet). */
ZhClient *
zh_account_new_client (ZhAccount  *self,
                       GError    **error)
{
  g_autoptr(ZhClient) client = NULL;
  g_autofree char *ca_file = NULL;

  g_return_val_if_fail (ZH_IS_ACCOUNT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  client = zh_client_new (self->server_url, error);
  if (client == NULL)
    return NULL;
  ca_file = zh_account_get_ca_file (self);
  if (ca_file != NULL && !zh_client_set_ca_file (client, ca_file, error))
    return NULL;
  return g_steal_pointer (&client);
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
  if (keyring_store (self, label, token, &secret_error))
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
    *notice = g_strdup_printf (_("The session token was not put in the keyring (Secret Service): "
                                 "%s. It is kept in the file “%s” instead, readable by you only."),
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
  char *token;
  char *text = NULL;

  g_return_val_if_fail (ZH_IS_ACCOUNT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (where != NULL)
    *where = ZH_TOKEN_STORE_NONE;

  token = keyring_lookup (self, &secret_error);
  if (token != NULL)
    {
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
  g_autofree char *path = NULL;

  g_return_val_if_fail (ZH_IS_ACCOUNT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  keyring_clear (self);

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
