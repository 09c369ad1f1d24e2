/* zh-server-routes.c: the routes of data/api/openapi.yaml — sessions, collections, the changes
 * feed, the journal page and the audit log. Each route is a chain of stages run in the worker
 * pools (zh-server-private.h); a stage answers or names the next stage. */
#define G_LOG_DOMAIN "zh-server"

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gi18n.h>
#include <sodium.h>

#include "zh-server-private.h"
#include "zh-server-store.h"

#define API_PREFIX "/api/v1/"

/* RFC 6585; libsoup 3.2 has no name for it. */
#define STATUS_TOO_MANY_REQUESTS 429

/* ---- small helpers ------------------------------------------------------------------------- */

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gboolean
is_uuid (const char *text)
{
  if (text == NULL || strlen (text) != 36)
    return FALSE;
  for (int i = 0; i < 36; i++)
    {
      gboolean dash = i == 8 || i == 13 || i == 18 || i == 23;

      if (dash ? text[i] != '-' : !g_ascii_isxdigit (text[i]))
        return FALSE;
    }
  return TRUE;
}

static gboolean
is_date (const char *text)
{
  int y, m, d;

  if (text == NULL || strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (text[i]))
      return FALSE;
  y = atoi (text);
  m = atoi (text + 5);
  d = atoi (text + 8);
  return g_date_valid_dmy (d, m, y);
}

/* A whole number in [min, max] written in plain digits, or FALSE. */
static gboolean
parse_count (const char *text,
             gint64      min,
             gint64      max,
             gint64     *value)
{
  guint64 parsed;

  if (text == NULL || *text == '\0' || strlen (text) > 18)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  parsed = g_ascii_strtoull (text, NULL, 10);
  if ((gint64) parsed < min || (gint64) parsed > max)
    return FALSE;
  *value = (gint64) parsed;
  return TRUE;
}

/* Cursors are base64url of a row's key: opaque to clients and safe in a query string. */
static char *
cursor_encode (const char *key)
{
  char *text = g_base64_encode ((const guchar *) key, strlen (key));

  for (char *p = text; *p != '\0'; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        {
          *p = '\0';
          break;
        }
    }
  return text;
}

static char *
cursor_decode (const char *text)
{
  g_autoptr(GString) padded = g_string_new (text);
  g_autofree guchar *data = NULL;
  gsize length = 0;

  for (gsize i = 0; i < padded->len; i++)
    {
      char c = padded->str[i];

      if (c == '-')
        padded->str[i] = '+';
      else if (c == '_')
        padded->str[i] = '/';
      else if (!g_ascii_isalnum (c))
        return NULL;
    }
  if (padded->len % 4 == 1 || padded->len > 200)
    return NULL;
  while (padded->len % 4 != 0)
    g_string_append_c (padded, '=');
  data = g_base64_decode (padded->str, &length);
  if (length == 0 || memchr (data, '\0', length) != NULL || !g_utf8_validate ((char *) data, length, NULL))
    return NULL;
  return g_strndup ((char *) data, length);
}

/* Every query parameter of @request must be one of @allowed; FALSE with a 400 answer otherwise. */
static gboolean
check_parameters (ZhServerRequest    *request,
                  const char * const *allowed)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, request->query);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (allowed == NULL || !g_strv_contains (allowed, key))
      {
        zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST, "unknown_parameter", key,
                                 _("This route has no query parameter “%s”."), (const char *) key);
        return FALSE;
      }
  return TRUE;
}

static gboolean
get_limit (ZhServerRequest *request,
           gint64          *limit)
{
  const char *text = g_hash_table_lookup (request->query, "limit");

  *limit = ZH_SERVER_DEFAULT_LIMIT;
  if (text != NULL && !parse_count (text, 1, ZH_SERVER_MAX_LIMIT, limit))
    {
      zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "limit",
                               _("The parameter “limit” must be a whole number from 1 to %d."),
                               ZH_SERVER_MAX_LIMIT);
      return FALSE;
    }
  return TRUE;
}

/* The body's members must be exactly the string members @names; FALSE with a 400 otherwise. */
static gboolean
get_body_strings (ZhServerRequest    *request,
                  const char * const *names,
                  const char        **values)
{
  JsonObject *object = json_node_get_object (request->json);
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (names, l->data))
      {
        zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST, "unknown_field", l->data,
                                 _("The body has a member “%s” this route does not take."),
                                 (const char *) l->data);
        return FALSE;
      }
  for (guint i = 0; names[i] != NULL; i++)
    {
      JsonNode *node = json_object_get_member (object, names[i]);

      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        {
          zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST, "missing_field", names[i],
                                   _("The body lacks the member “%s”."), names[i]);
          return FALSE;
        }
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST, "wrong_type", names[i],
                                   _("The member “%s” must be a string."), names[i]);
          return FALSE;
        }
      values[i] = json_node_get_string (node);
      if (strlen (values[i]) > 1000)
        {
          zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", names[i],
                                   _("The member “%s” is longer than 1000 bytes."), names[i]);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
has_role (ZhServerRequest *request,
          guint            roles)
{
  return (request->session.roles & roles) != 0;
}

/* Append one entry to the audit log (001 §6.3). */
static gboolean
audit (ZhStore     *store,
       const char  *staff_id,
       const char  *entity,
       const char  *entity_id,
       const char  *action,
       GError     **error)
{
  sqlite3_stmt *stmt = zh_store_prepare (store,
                                         "INSERT INTO audit (at, staff_id, entity, entity_id, action) "
                                         "VALUES (?1, ?2, ?3, ?4, ?5)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now_seconds ());
  sqlite3_bind_text (stmt, 2, staff_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, entity, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, entity_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, action, -1, SQLITE_STATIC);
  return zh_store_step_done (store, stmt, error);
}

/* The SQL selecting an entity's row by id within a school: ?1 id, ?2 school. Made once per
 * entity and kept: a journal page selects two rows, and formatting the SQL cost more than that. */
static const char *
row_sql (const ZhEntityInfo *info)
{
  static GHashTable *made;   /* ZhEntityInfo → its SQL; entities are static tables */
  G_LOCK_DEFINE_STATIC (made);
  const char *sql;

  G_LOCK (made);
  if (made == NULL)
    made = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  sql = g_hash_table_lookup (made, info);
  if (sql == NULL)
    {
      g_autofree char *columns = zh_json_entity_columns (info, "t");
      char *text = g_strdup_printf ("SELECT %s FROM %s t WHERE t.id = ?1 AND %s = ?2",
                                    columns, info->table, zh_server_school_expression (info));

      g_hash_table_insert (made, (gpointer) info, text);
      sql = text;
    }
  G_UNLOCK (made);
  return sql;
}

/* The SQL selecting an entity's row by id alone: ?1 id. For the changes feed, whose change rows
 * already carry the school (the writer records it with the change in the same transaction, and
 * the feed selects by it), so joining each row up to its school again — four index lookups for a
 * mark — only cost the first sync a sixth of the service's time. */
static const char *
feed_row_sql (const ZhEntityInfo *info)
{
  static GHashTable *made;   /* ZhEntityInfo → its SQL */
  G_LOCK_DEFINE_STATIC (made);
  const char *sql;

  G_LOCK (made);
  if (made == NULL)
    made = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  sql = g_hash_table_lookup (made, info);
  if (sql == NULL)
    {
      g_autofree char *columns = zh_json_entity_columns (info, "t");
      char *text = g_strdup_printf ("SELECT %s FROM %s t WHERE t.id = ?1", columns, info->table);

      g_hash_table_insert (made, (gpointer) info, text);
      sql = text;
    }
  G_UNLOCK (made);
  return sql;
}

/* Write the row @id of @info as the next value; FALSE when there is no such row in @school_id. */
static gboolean
write_row (ZhJsonWriter        *writer,
           ZhStore             *store,
           const ZhEntityInfo  *info,
           const char          *id,
           const char          *school_id,
           GError             **error)
{
  sqlite3_stmt *stmt = zh_store_prepare (store, row_sql (info), error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, school_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    zh_json_writer_add_row (writer, info, stmt, 0);
  sqlite3_reset (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc != SQLITE_DONE)
    return zh_store_set_error (store, rc, "select row", error);
  g_set_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_NOT_FOUND, "no %s %s", info->name, id);
  return FALSE;
}

/* ---- sessions ------------------------------------------------------------------------------ */

static char *
token_hash (const char *token)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
}

/* zh_server_authenticate: find the session of @request's bearer token; FALSE with a 401 answer
 * when there is none or it has expired. Runs in a read worker. */
gboolean
zh_server_authenticate (ZhServerRequest *request,
                        ZhStore         *store)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (request->token == NULL)
    {
      zh_server_request_error (request, SOUP_STATUS_UNAUTHORIZED, "unauthorized", "Authorization",
                               _("Sign in first: the request has no bearer token."));
      return FALSE;
    }

  hash = token_hash (request->token);
  if (_zh_server_session_cache_lookup (request->server, hash, &request->session))
    return TRUE;

  stmt = zh_store_prepare (store,
                           "SELECT s.staff_id, s.expires_at, st.school_id, st.login, st.roles "
                           "FROM session s JOIN staff st ON st.id = s.staff_id "
                           "WHERE s.token_hash = ?1 AND st.active = 1", &error);
  if (stmt == NULL)
    {
      zh_server_request_store_error (request, error);
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_int64 (stmt, 1) > now_seconds ())
    {
      request->session.token_hash = g_strdup (hash);
      request->session.staff_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      request->session.expires_at = sqlite3_column_int64 (stmt, 1);
      request->session.school_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      request->session.login = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      request->session.roles = (guint) sqlite3_column_int64 (stmt, 4);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      zh_store_set_error (store, rc, "session", &error);
      zh_server_request_store_error (request, error);
      return FALSE;
    }
  if (request->session.staff_id == NULL)
    {
      zh_server_request_error (request, SOUP_STATUS_UNAUTHORIZED, "unauthorized", "Authorization",
                               _("The session has ended or is unknown. Sign in again."));
      return FALSE;
    }
  _zh_server_session_cache_add (request->server, &request->session);
  return TRUE;
}

typedef struct
{
  char   *login;
  char   *password;
  char   *new_password;
  char   *hash;            /* the account's Argon2id hash, NULL: no such account */
  char   *new_hash;
  char   *staff_id;
  char   *school_id;
  guint   roles;
  char   *token;
  gint64  expires_at;
} SignIn;

static void
sign_in_free (gpointer data)
{
  SignIn *sign_in = data;

  g_free (sign_in->login);
  if (sign_in->password != NULL)
    sodium_memzero (sign_in->password, strlen (sign_in->password));
  g_free (sign_in->password);
  if (sign_in->new_password != NULL)
    sodium_memzero (sign_in->new_password, strlen (sign_in->new_password));
  g_free (sign_in->new_password);
  g_free (sign_in->hash);
  g_free (sign_in->new_hash);
  g_free (sign_in->staff_id);
  g_free (sign_in->school_id);
  g_free (sign_in->token);
  g_free (sign_in);
}

/* A hash of a random password: checked against when a login is unknown, so an unknown login takes
 * as long to refuse as a wrong password and the timing tells nothing. */
static const char *
dummy_hash (void)
{
  static gsize initialised = 0;
  static char *hash = NULL;

  if (g_once_init_enter (&initialised))
    {
      guchar random[16];
      g_autofree char *password = NULL;

      randombytes_buf (random, sizeof random);
      password = g_base64_encode (random, sizeof random);
      hash = zh_server_hash_password (password, NULL);
      g_once_init_leave (&initialised, 1);
    }
  return hash;
}

static gboolean
refuse_if_blocked (ZhServerRequest *request,
                   const char      *login)
{
  gint64 retry_after;

  if (!_zh_server_login_blocked (request->server, login, request->remote_host, &retry_after))
    return FALSE;
  request->retry_after = g_strdup_printf ("%" G_GINT64_FORMAT, retry_after);
  zh_server_request_error (request, STATUS_TOO_MANY_REQUESTS, "too_many_attempts", NULL,
                           ngettext ("Too many failed sign-ins. Try again in %d second.",
                                     "Too many failed sign-ins. Try again in %d seconds.",
                                     (gulong) retry_after),
                           (int) retry_after);
  return TRUE;
}

static void
sign_in_write (ZhServerRequest *request,
               ZhStore         *store)
{
  SignIn *sign_in = request->data;
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = token_hash (sign_in->token);
  g_autoptr(ZhJsonWriter) writer = NULL;
  g_autoptr(GString) staff = g_string_new (NULL);
  g_autoptr(ZhJsonWriter) staff_writer = zh_json_writer_new (staff);
  ZhServerSession session = { 0 };
  sqlite3_stmt *stmt;

  if (!zh_store_lock (store, &error))
    goto failed;
  /* Expired sessions go with each sign-in, so the table stays as small as the live sessions. */
  stmt = zh_store_prepare (store, "DELETE FROM session WHERE expires_at <= ?1", &error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, now_seconds ());
  if (!zh_store_step_done (store, stmt, &error))
    goto rollback;
  stmt = zh_store_prepare (store, "INSERT INTO session (token_hash, staff_id, created_at, expires_at) "
                                  "VALUES (?1, ?2, ?3, ?4)", &error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, sign_in->staff_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, now_seconds ());
  sqlite3_bind_int64 (stmt, 4, sign_in->expires_at);
  if (!zh_store_step_done (store, stmt, &error) ||
      !audit (store, sign_in->staff_id, "staff", sign_in->staff_id, "login", &error) ||
      !write_row (staff_writer, store, &zh_staff_info, sign_in->staff_id, sign_in->school_id, &error))
    goto rollback;
  if (!zh_store_unlock (store, ZH_STORE_UNLOCK_COMMIT, &error))
    goto failed;

  session.token_hash = g_steal_pointer (&hash);
  session.staff_id = g_strdup (sign_in->staff_id);
  session.school_id = g_strdup (sign_in->school_id);
  session.login = g_strdup (sign_in->login);
  session.roles = sign_in->roles;
  session.expires_at = sign_in->expires_at;
  _zh_server_session_cache_add (request->server, &session);
  zh_server_session_clear (&session);

  writer = zh_server_request_begin_answer (request, SOUP_STATUS_CREATED);
  zh_json_writer_begin_object (writer);
  zh_json_writer_key (writer, "token");
  zh_json_writer_string (writer, sign_in->token);
  zh_json_writer_key (writer, "expires");
  zh_json_writer_time (writer, sign_in->expires_at);
  zh_json_writer_key (writer, "staff");
  zh_json_writer_raw (writer, staff->str);
  zh_json_writer_end_object (writer);
  return;

rollback:
  zh_store_unlock (store, ZH_STORE_UNLOCK_ROLLBACK, NULL);
failed:
  zh_server_request_store_error (request, error);
}

static void
sign_in_check (ZhServerRequest *request,
               ZhStore         *store)
{
  SignIn *sign_in = request->data;
  gboolean ok;
  guchar random[32];
  char token[sodium_base64_ENCODED_LEN (32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

  if (sign_in->hash != NULL)
    ok = zh_server_verify_password (sign_in->hash, sign_in->password);
  else
    {
      const char *dummy = dummy_hash ();

      if (dummy != NULL)
        zh_server_verify_password (dummy, sign_in->password);
      ok = FALSE;
    }

  if (!ok)
    {
      _zh_server_login_failed (request->server, sign_in->login, request->remote_host);
      zh_server_request_error (request, SOUP_STATUS_UNAUTHORIZED, "wrong_credentials", NULL,
                               _("The login or the password is wrong."));
      return;
    }
  _zh_server_login_succeeded (request->server, sign_in->login);

  randombytes_buf (random, sizeof random);
  sodium_bin2base64 (token, sizeof token, random, sizeof random, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sign_in->token = g_strdup (token);
  sign_in->expires_at = now_seconds () + ZH_SERVER_SESSION_SECONDS;
  zh_server_request_then (request, ZH_SERVER_POOL_WRITE, sign_in_write);
}

static void
sign_in_start (ZhServerRequest *request,
               ZhStore         *store)
{
  static const char * const names[] = { "login", "password", NULL };
  const char *values[2];
  g_autoptr(GError) error = NULL;
  SignIn *sign_in;
  sqlite3_stmt *stmt;

  if (!get_body_strings (request, names, values))
    return;
  if (values[0][0] == '\0')
    {
      zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "login",
                               _("The login is empty."));
      return;
    }
  if (refuse_if_blocked (request, values[0]))
    return;

  sign_in = g_new0 (SignIn, 1);
  sign_in->login = g_strdup (values[0]);
  sign_in->password = g_strdup (values[1]);
  request->data = sign_in;
  request->data_free = sign_in_free;

  stmt = zh_store_prepare (store,
                           "SELECT st.id, st.school_id, st.roles, a.password_hash FROM staff st "
                           "JOIN account a ON a.staff_id = st.id WHERE st.login = ?1 AND st.active = 1",
                           &error);
  if (stmt == NULL)
    {
      zh_server_request_store_error (request, error);
      return;
    }
  sqlite3_bind_text (stmt, 1, sign_in->login, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      sign_in->staff_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sign_in->school_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      sign_in->roles = (guint) sqlite3_column_int64 (stmt, 2);
      sign_in->hash = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
    }
  sqlite3_reset (stmt);
  zh_server_request_then (request, ZH_SERVER_POOL_PASSWORD, sign_in_check);
}

static void
session_get (ZhServerRequest *request,
             ZhStore         *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) staff = g_string_new (NULL);
  g_autoptr(ZhJsonWriter) staff_writer = zh_json_writer_new (staff);
  g_autoptr(ZhJsonWriter) writer = NULL;

  if (!check_parameters (request, NULL))
    return;
  if (!write_row (staff_writer, store, &zh_staff_info, request->session.staff_id,
                  request->session.school_id, &error))
    {
      zh_server_request_store_error (request, error);
      return;
    }
  writer = zh_server_request_begin_answer (request, SOUP_STATUS_OK);
  zh_json_writer_begin_object (writer);
  zh_json_writer_key (writer, "expires");
  zh_json_writer_time (writer, request->session.expires_at);
  zh_json_writer_key (writer, "staff");
  zh_json_writer_raw (writer, staff->str);
  zh_json_writer_end_object (writer);
}

static void
sign_out_write (ZhServerRequest *request,
                ZhStore         *store)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt;

  if (!zh_store_lock (store, &error))
    goto failed;
  stmt = zh_store_prepare (store, "DELETE FROM session WHERE token_hash = ?1", &error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_text (stmt, 1, request->session.token_hash, -1, SQLITE_STATIC);
  if (!zh_store_step_done (store, stmt, &error) ||
      !audit (store, request->session.staff_id, "staff", request->session.staff_id, "logout", &error))
    goto rollback;
  if (!zh_store_unlock (store, ZH_STORE_UNLOCK_COMMIT, &error))
    goto failed;
  /* The other sessions of the same person are read again from the database on their next use. */
  _zh_server_session_cache_remove_staff (request->server, request->session.staff_id, NULL);
  request->status = SOUP_STATUS_NO_CONTENT;
  return;

rollback:
  zh_store_unlock (store, ZH_STORE_UNLOCK_ROLLBACK, NULL);
failed:
  zh_server_request_store_error (request, error);
}

static void
sign_out_start (ZhServerRequest *request,
                ZhStore         *store)
{
  if (!check_parameters (request, NULL))
    return;
  zh_server_request_then (request, ZH_SERVER_POOL_WRITE, sign_out_write);
}

static void
password_write (ZhServerRequest *request,
                ZhStore         *store)
{
  SignIn *change = request->data;
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt;

  if (!zh_store_lock (store, &error))
    goto failed;
  stmt = zh_store_prepare (store, "UPDATE account SET password_hash = ?1, changed_at = ?2 "
                                  "WHERE staff_id = ?3", &error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_text (stmt, 1, change->new_hash, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, now_seconds ());
  sqlite3_bind_text (stmt, 3, request->session.staff_id, -1, SQLITE_STATIC);
  if (!zh_store_step_done (store, stmt, &error))
    goto rollback;
  stmt = zh_store_prepare (store, "DELETE FROM session WHERE staff_id = ?1 AND token_hash != ?2", &error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_text (stmt, 1, request->session.staff_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, request->session.token_hash, -1, SQLITE_STATIC);
  if (!zh_store_step_done (store, stmt, &error) ||
      !audit (store, request->session.staff_id, "account", request->session.staff_id, "update", &error))
    goto rollback;
  if (!zh_store_unlock (store, ZH_STORE_UNLOCK_COMMIT, &error))
    goto failed;
  _zh_server_session_cache_remove_staff (request->server, request->session.staff_id,
                                         request->session.token_hash);
  request->status = SOUP_STATUS_NO_CONTENT;
  return;

rollback:
  zh_store_unlock (store, ZH_STORE_UNLOCK_ROLLBACK, NULL);
failed:
  zh_server_request_store_error (request, error);
}

static void
password_check (ZhServerRequest *request,
                ZhStore         *store)
{
  SignIn *change = request->data;
  g_autoptr(GError) error = NULL;

  if (change->hash == NULL || !zh_server_verify_password (change->hash, change->password))
    {
      _zh_server_login_failed (request->server, change->login, request->remote_host);
      zh_server_request_error (request, SOUP_STATUS_FORBIDDEN, "wrong_password", "old_password",
                               _("The old password is wrong."));
      return;
    }
  change->new_hash = zh_server_hash_password (change->new_password, &error);
  if (change->new_hash == NULL)
    {
      zh_server_request_error (request, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable", NULL,
                               "%s", error->message);
      return;
    }
  zh_server_request_then (request, ZH_SERVER_POOL_WRITE, password_write);
}

static void
password_start (ZhServerRequest *request,
                ZhStore         *store)
{
  static const char * const names[] = { "old_password", "new_password", NULL };
  const char *values[2];
  g_autoptr(GError) error = NULL;
  SignIn *change;
  sqlite3_stmt *stmt;

  if (!check_parameters (request, NULL) || !get_body_strings (request, names, values))
    return;
  /* Staff passwords: at least 8 characters, never the login (004 §3.3). */
  if (g_utf8_strlen (values[1], -1) < 8)
    {
      zh_server_request_error (request, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid_value", "new_password",
                               _("The new password must have at least 8 characters."));
      return;
    }
  if (request->session.login != NULL && g_str_equal (values[1], request->session.login))
    {
      zh_server_request_error (request, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid_value", "new_password",
                               _("The new password must differ from the login."));
      return;
    }
  if (refuse_if_blocked (request, request->session.login))
    return;

  change = g_new0 (SignIn, 1);
  change->login = g_strdup (request->session.login);
  change->password = g_strdup (values[0]);
  change->new_password = g_strdup (values[1]);
  request->data = change;
  request->data_free = sign_in_free;

  stmt = zh_store_prepare (store, "SELECT password_hash FROM account WHERE staff_id = ?1", &error);
  if (stmt == NULL)
    {
      zh_server_request_store_error (request, error);
      return;
    }
  sqlite3_bind_text (stmt, 1, request->session.staff_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    change->hash = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  zh_server_request_then (request, ZH_SERVER_POOL_PASSWORD, password_check);
}

/* ---- collections --------------------------------------------------------------------------- */

typedef enum
{
  VALUE_UUID,
  VALUE_DATE,
} ValueKind;

/* The filters of each collection (openapi.yaml, components/parameters/Filter_*). */
static const struct
{
  const char *collection;
  const char *parameter;
  ValueKind   kind;
  const char *condition;   /* SQL over the row aliased t, with one ? */
} filters[] = {
  { "periods", "year", VALUE_UUID, "t.year_id = ?" },
  { "classes", "year", VALUE_UUID, "t.year_id = ?" },
  { "students", "class", VALUE_UUID, "t.id IN (SELECT e.student_id FROM enrollment e WHERE e.class_id = ?)" },
  { "enrollments", "class", VALUE_UUID, "t.class_id = ?" },
  { "enrollments", "student", VALUE_UUID, "t.student_id = ?" },
  { "groups", "class", VALUE_UUID, "t.class_id = ?" },
  { "groups", "teacher", VALUE_UUID, "t.teacher_id = ?" },
  { "group-members", "group", VALUE_UUID, "t.group_id = ?" },
  { "group-members", "student", VALUE_UUID, "t.student_id = ?" },
  { "curriculum", "class", VALUE_UUID, "t.class_id = ?" },
  { "plan-items", "group", VALUE_UUID, "t.group_id = ?" },
  { "timetable", "group", VALUE_UUID, "t.group_id = ?" },
  { "lessons", "group", VALUE_UUID, "t.group_id = ?" },
  { "lessons", "class", VALUE_UUID, "t.group_id IN (SELECT g.id FROM study_group g WHERE g.class_id = ?)" },
  { "lessons", "teacher", VALUE_UUID, "t.teacher_id = ?" },
  { "lessons", "from", VALUE_DATE, "t.date >= ?" },
  { "lessons", "to", VALUE_DATE, "t.date <= ?" },
  { "marks", "lesson", VALUE_UUID, "t.lesson_id = ?" },
  { "marks", "group", VALUE_UUID, "t.lesson_id IN (SELECT l.id FROM lesson l WHERE l.group_id = ?)" },
  { "marks", "student", VALUE_UUID, "t.student_id = ?" },
  { "marks", "from", VALUE_DATE, "t.lesson_id IN (SELECT l.id FROM lesson l WHERE l.date >= ?)" },
  { "marks", "to", VALUE_DATE, "t.lesson_id IN (SELECT l.id FROM lesson l WHERE l.date <= ?)" },
  { "attendance", "lesson", VALUE_UUID, "t.lesson_id = ?" },
  { "attendance", "group", VALUE_UUID, "t.lesson_id IN (SELECT l.id FROM lesson l WHERE l.group_id = ?)" },
  { "attendance", "student", VALUE_UUID, "t.student_id = ?" },
  { "attendance", "from", VALUE_DATE, "t.lesson_id IN (SELECT l.id FROM lesson l WHERE l.date >= ?)" },
  { "attendance", "to", VALUE_DATE, "t.lesson_id IN (SELECT l.id FROM lesson l WHERE l.date <= ?)" },
  { "period-marks", "group", VALUE_UUID, "t.group_id = ?" },
  { "period-marks", "student", VALUE_UUID, "t.student_id = ?" },
  { "period-marks", "period", VALUE_UUID, "t.period_id = ?" },
  { "corrections", "target", VALUE_UUID, "t.target_id = ?" },
};

static gboolean
check_value (ZhServerRequest *request,
             const char      *parameter,
             const char      *value,
             ValueKind        kind)
{
  if (kind == VALUE_UUID && !is_uuid (value))
    {
      zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", parameter,
                               _("The parameter “%s” must be an id (a UUID)."), parameter);
      return FALSE;
    }
  if (kind == VALUE_DATE && !is_date (value))
    {
      zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", parameter,
                               _("The parameter “%s” must be a date, YYYY-MM-DD."), parameter);
      return FALSE;
    }
  return TRUE;
}

static void
collection_list (ZhServerRequest *request,
                 ZhStore         *store)
{
  const ZhEntityInfo *info = request->entity;
  g_autoptr(GPtrArray) allowed = g_ptr_array_new ();
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhJsonWriter) writer = NULL;
  g_autofree char *columns = zh_json_entity_columns (info, "t");
  g_autofree char *after = NULL;
  g_autofree char *last_id = NULL;
  const char *cursor = g_hash_table_lookup (request->query, "cursor");
  sqlite3_stmt *stmt;
  gint64 limit;
  gint64 count = 0;
  int rc;

  g_ptr_array_add (allowed, (gpointer) "limit");
  g_ptr_array_add (allowed, (gpointer) "cursor");
  for (guint i = 0; i < G_N_ELEMENTS (filters); i++)
    if (g_str_equal (filters[i].collection, info->collection))
      g_ptr_array_add (allowed, (gpointer) filters[i].parameter);
  g_ptr_array_add (allowed, NULL);
  if (!check_parameters (request, (const char * const *) allowed->pdata) || !get_limit (request, &limit))
    return;
  if (cursor != NULL && (after = cursor_decode (cursor)) == NULL)
    {
      zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "cursor",
                               _("The parameter “cursor” is not a cursor this service gave."));
      return;
    }

  /* Rows come in id order; the cursor is the last id of the previous page, so paging is stable
   * however rows change between pages. */
  g_string_append_printf (sql, "SELECT %s FROM %s t WHERE %s = ?1 AND t.id > ?2",
                          columns, info->table, zh_server_school_expression (info));
  for (guint i = 0; i < G_N_ELEMENTS (filters); i++)
    {
      const char *value;

      if (!g_str_equal (filters[i].collection, info->collection))
        continue;
      value = g_hash_table_lookup (request->query, filters[i].parameter);
      if (value == NULL)
        continue;
      if (!check_value (request, filters[i].parameter, value, filters[i].kind))
        return;
      g_string_append_printf (sql, " AND %s", filters[i].condition);
      g_ptr_array_add (values, g_strdup (value));
    }
  g_string_append (sql, " ORDER BY t.id LIMIT ?");

  stmt = zh_store_prepare (store, sql->str, &error);
  if (stmt == NULL)
    {
      zh_server_request_store_error (request, error);
      return;
    }
  sqlite3_bind_text (stmt, 1, request->session.school_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, after != NULL ? after : "", -1, SQLITE_STATIC);
  for (guint i = 0; i < values->len; i++)
    sqlite3_bind_text (stmt, 3 + i, values->pdata[i], -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3 + values->len, limit + 1);

  writer = zh_server_request_begin_answer (request, SOUP_STATUS_OK);
  zh_json_writer_begin_object (writer);
  zh_json_writer_key (writer, "items");
  zh_json_writer_begin_array (writer);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (++count > limit)
        break;
      zh_json_writer_add_row (writer, info, stmt, 0);
      g_free (last_id);
      last_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      zh_store_set_error (store, rc, "list", &error);
      zh_server_request_store_error (request, error);
      return;
    }
  zh_json_writer_end_array (writer);
  zh_json_writer_key (writer, "next_cursor");
  if (count > limit)
    {
      g_autofree char *next = cursor_encode (last_id);

      zh_json_writer_string (writer, next);
    }
  else
    zh_json_writer_null (writer);
  zh_json_writer_end_object (writer);
}

static void
collection_item (ZhServerRequest *request,
                 ZhStore         *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhJsonWriter) writer = NULL;

  if (!check_parameters (request, NULL))
    return;
  writer = zh_server_request_begin_answer (request, SOUP_STATUS_OK);
  if (!write_row (writer, store, request->entity, request->id, request->session.school_id, &error))
    {
      if (g_error_matches (error, ZH_STORE_ERROR, ZH_STORE_ERROR_NOT_FOUND))
        zh_server_request_error (request, SOUP_STATUS_NOT_FOUND, "not_found", NULL,
                                 _("There is no %s with the id “%s”."),
                                 request->entity->name, request->id);
      else
        zh_server_request_store_error (request, error);
    }
}

/* ---- the changes feed ---------------------------------------------------------------------- */

static void
changes (ZhServerRequest *request,
         ZhStore         *store)
{
  static const char * const allowed[] = { "since", "limit", NULL };
  const char *since_text = g_hash_table_lookup (request->query, "since");
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhJsonWriter) writer = NULL;
  sqlite3_stmt *stmt;
  gint64 since = 0;
  gint64 limit;
  gint64 next;
  gint64 count = 0;
  gboolean more = FALSE;
  int rc;

  if (!check_parameters (request, allowed) || !get_limit (request, &limit))
    return;
  if (since_text != NULL && !parse_count (since_text, 0, G_MAXINT64, &since))
    {
      zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "since",
                               _("The parameter “since” must be a rev, a whole number from 0."));
      return;
    }
  next = since;

  stmt = zh_store_prepare (store, "SELECT rev, entity, entity_id, deleted FROM change "
                                  "WHERE school_id = ?1 AND rev > ?2 ORDER BY rev LIMIT ?3", &error);
  if (stmt == NULL)
    {
      zh_server_request_store_error (request, error);
      return;
    }
  sqlite3_bind_text (stmt, 1, request->session.school_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, since);
  sqlite3_bind_int64 (stmt, 3, limit + 1);

  /* The rows are read with statements of their own while this one steps: the feed's page is
   * small (≤ 5000) so it is collected first, keeping one statement active at a time. */
  {
    g_autoptr(GArray) revs = g_array_new (FALSE, FALSE, sizeof (gint64));
    g_autoptr(GPtrArray) entities = g_ptr_array_new ();
    g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
    g_autoptr(GArray) deleted = g_array_new (FALSE, FALSE, sizeof (gboolean));
    g_autoptr(GHashTable) row_stmts = NULL;   /* ZhEntityInfo → its cached statement */

    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        gint64 rev = sqlite3_column_int64 (stmt, 0);
        const ZhEntityInfo *info = zh_entity_info_lookup ((const char *) sqlite3_column_text (stmt, 1));
        gboolean gone = sqlite3_column_int (stmt, 3) != 0;

        if (++count > limit)
          {
            more = TRUE;
            break;
          }
        if (info == NULL)
          {
            g_warning ("the changes feed names an unknown entity “%s”", sqlite3_column_text (stmt, 1));
            continue;
          }
        g_array_append_val (revs, rev);
        g_ptr_array_add (entities, (gpointer) info);
        g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 2)));
        g_array_append_val (deleted, gone);
        next = rev;
      }
    sqlite3_reset (stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
      {
        zh_store_set_error (store, rc, "changes", &error);
        zh_server_request_store_error (request, error);
        return;
      }

    /* Each entity's statement is looked up once a page, and each row is stepped first and
     * written straight into the answer: no string per row. */
    row_stmts = g_hash_table_new (g_direct_hash, g_direct_equal);
    for (guint i = 0; i < revs->len; i++)
      {
        const ZhEntityInfo *info = entities->pdata[i];

        if (!g_array_index (deleted, gboolean, i) &&
            !g_hash_table_contains (row_stmts, info))
          {
            sqlite3_stmt *row_stmt = zh_store_prepare (store, feed_row_sql (info), &error);

            if (row_stmt == NULL)
              {
                zh_server_request_store_error (request, error);
                return;
              }
            g_hash_table_insert (row_stmts, (gpointer) info, row_stmt);
          }
      }

    /* `next` and `more` first: a client reading the answer as it comes asks for the following
     * page at once, while it reads and decodes this one (docs/api.md). */
    writer = zh_server_request_begin_answer (request, SOUP_STATUS_OK);
    zh_json_writer_begin_object (writer);
    zh_json_writer_key (writer, "next");
    zh_json_writer_int (writer, next);
    zh_json_writer_key (writer, "more");
    zh_json_writer_bool (writer, more);
    zh_json_writer_key (writer, "changes");
    zh_json_writer_begin_array (writer);
    for (guint i = 0; i < revs->len; i++)
      {
        const ZhEntityInfo *info = entities->pdata[i];
        sqlite3_stmt *row_stmt = NULL;
        gboolean found = FALSE;

        if (!g_array_index (deleted, gboolean, i))
          {
            row_stmt = g_hash_table_lookup (row_stmts, info);
            sqlite3_bind_text (row_stmt, 1, ids->pdata[i], -1, SQLITE_STATIC);
            rc = sqlite3_step (row_stmt);
            found = rc == SQLITE_ROW;
            if (rc != SQLITE_ROW && rc != SQLITE_DONE)
              {
                zh_store_set_error (store, rc, "changes", &error);
                sqlite3_reset (row_stmt);
                zh_server_request_store_error (request, error);
                return;
              }
            if (!found)
              g_warning ("the changes feed lists %s %s, which is not there", info->name,
                         (const char *) ids->pdata[i]);
          }

        zh_json_writer_begin_object (writer);
        zh_json_writer_key (writer, "rev");
        zh_json_writer_int (writer, g_array_index (revs, gint64, i));
        zh_json_writer_key (writer, "entity");
        zh_json_writer_string (writer, info->name);
        zh_json_writer_key (writer, "id");
        zh_json_writer_string (writer, ids->pdata[i]);
        zh_json_writer_key (writer, "deleted");
        zh_json_writer_bool (writer, !found);
        if (found)
          {
            zh_json_writer_key (writer, "value");
            zh_json_writer_add_row (writer, info, row_stmt, 0);
          }
        if (row_stmt != NULL)
          {
            sqlite3_reset (row_stmt);
            sqlite3_clear_bindings (row_stmt);
          }
        zh_json_writer_end_object (writer);
      }
    zh_json_writer_end_array (writer);
    zh_json_writer_end_object (writer);
  }
}

/* ---- the audit log ------------------------------------------------------------------------- */

static void
audit_list (ZhServerRequest *request,
            ZhStore         *store)
{
  static const char * const allowed[] = { "entity", "id", "staff", "limit", "cursor", NULL };
  const char *entity = g_hash_table_lookup (request->query, "entity");
  const char *id = g_hash_table_lookup (request->query, "id");
  const char *staff = g_hash_table_lookup (request->query, "staff");
  const char *cursor = g_hash_table_lookup (request->query, "cursor");
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhJsonWriter) writer = NULL;
  g_autofree char *after_text = NULL;
  sqlite3_stmt *stmt;
  gint64 after = 0;
  gint64 limit;
  gint64 last = 0;
  gint64 count = 0;
  int n = 2;
  int rc;

  if (!check_parameters (request, allowed) || !get_limit (request, &limit))
    return;
  if (cursor != NULL &&
      ((after_text = cursor_decode (cursor)) == NULL || !parse_count (after_text, 0, G_MAXINT64, &after)))
    {
      zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "cursor",
                               _("The parameter “cursor” is not a cursor this service gave."));
      return;
    }
  if (staff != NULL && !check_value (request, "staff", staff, VALUE_UUID))
    return;
  /* The history of one row is for everyone who reads the row; the whole log is for the people
   * who review the journal (000 §5.4, 003 §3). */
  if (id == NULL && !has_role (request, ZH_ROLE_ADMIN | ZH_ROLE_DEPUTY | ZH_ROLE_DIRECTOR))
    {
      zh_server_request_error (request, SOUP_STATUS_FORBIDDEN, "forbidden", "id",
                               _("Only an administrator, a deputy director or the director may read "
                                 "the whole audit log; give “entity” and “id” to read one row’s history."));
      return;
    }

  g_string_append (sql, "SELECT a.seq, a.at, a.staff_id, a.entity, a.entity_id, a.action, a.before, a.after "
                        "FROM audit a WHERE a.staff_id IN (SELECT s.id FROM staff s WHERE s.school_id = ?1) "
                        "AND a.seq > ?2");
  if (entity != NULL)
    g_string_append_printf (sql, " AND a.entity = ?%d", ++n);
  if (id != NULL)
    g_string_append_printf (sql, " AND a.entity_id = ?%d", ++n);
  if (staff != NULL)
    g_string_append_printf (sql, " AND a.staff_id = ?%d", ++n);
  g_string_append_printf (sql, " ORDER BY a.seq LIMIT ?%d", ++n);

  stmt = zh_store_prepare (store, sql->str, &error);
  if (stmt == NULL)
    {
      zh_server_request_store_error (request, error);
      return;
    }
  n = 2;
  sqlite3_bind_text (stmt, 1, request->session.school_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, after);
  if (entity != NULL)
    sqlite3_bind_text (stmt, ++n, entity, -1, SQLITE_STATIC);
  if (id != NULL)
    sqlite3_bind_text (stmt, ++n, id, -1, SQLITE_STATIC);
  if (staff != NULL)
    sqlite3_bind_text (stmt, ++n, staff, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, ++n, limit + 1);

  writer = zh_server_request_begin_answer (request, SOUP_STATUS_OK);
  zh_json_writer_begin_object (writer);
  zh_json_writer_key (writer, "items");
  zh_json_writer_begin_array (writer);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (++count > limit)
        break;
      last = sqlite3_column_int64 (stmt, 0);
      zh_json_writer_begin_object (writer);
      zh_json_writer_key (writer, "seq");
      zh_json_writer_int (writer, last);
      zh_json_writer_key (writer, "at");
      zh_json_writer_time (writer, sqlite3_column_int64 (stmt, 1));
      zh_json_writer_key (writer, "staff_id");
      zh_json_writer_string (writer, (const char *) sqlite3_column_text (stmt, 2));
      zh_json_writer_key (writer, "entity");
      zh_json_writer_string (writer, (const char *) sqlite3_column_text (stmt, 3));
      zh_json_writer_key (writer, "entity_id");
      zh_json_writer_string (writer, (const char *) sqlite3_column_text (stmt, 4));
      zh_json_writer_key (writer, "action");
      zh_json_writer_string (writer, (const char *) sqlite3_column_text (stmt, 5));
      /* before and after are JSON objects the service wrote itself. */
      for (int column = 6; column <= 7; column++)
        {
          zh_json_writer_key (writer, column == 6 ? "before" : "after");
          if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
            zh_json_writer_null (writer);
          else
            zh_json_writer_raw (writer, (const char *) sqlite3_column_text (stmt, column));
        }
      zh_json_writer_end_object (writer);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      zh_store_set_error (store, rc, "audit", &error);
      zh_server_request_store_error (request, error);
      return;
    }
  zh_json_writer_end_array (writer);
  zh_json_writer_key (writer, "next_cursor");
  if (count > limit)
    {
      g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, last);
      g_autofree char *next = cursor_encode (text);

      zh_json_writer_string (writer, next);
    }
  else
    zh_json_writer_null (writer);
  zh_json_writer_end_object (writer);
}

/* ---- the journal page ---------------------------------------------------------------------- */

/* The rows of one journal page; ?1 group, ?2 period's first day, ?3 its last day, ?4 period. */
#define PAGE_MEMBERS "FROM group_member t WHERE t.group_id = ?1 AND t.date_from <= ?3 " \
                     "AND (t.date_to IS NULL OR t.date_to >= ?2)"
#define PAGE_STUDENTS "FROM student t WHERE t.id IN (SELECT m.student_id FROM group_member m " \
                      "WHERE m.group_id = ?1 AND m.date_from <= ?3 AND (m.date_to IS NULL OR m.date_to >= ?2))"
#define PAGE_LESSONS "FROM lesson t WHERE t.group_id = ?1 AND t.date BETWEEN ?2 AND ?3"
#define PAGE_MARKS "FROM mark t JOIN lesson l ON l.id = t.lesson_id " \
                   "WHERE l.group_id = ?1 AND l.date BETWEEN ?2 AND ?3"
#define PAGE_ATTENDANCE "FROM attendance t JOIN lesson l ON l.id = t.lesson_id " \
                        "WHERE l.group_id = ?1 AND l.date BETWEEN ?2 AND ?3"
#define PAGE_PERIOD_MARKS "FROM period_mark t WHERE t.group_id = ?1 AND t.period_id = ?4"

/* Cyrillic letters sort by code point, except Ё and ё, which a class list files under Е: the
 * store's collation "journal" (zh-store.c). */
#define ALPHABETICAL(column) column " COLLATE journal"

/* Each part comes in the order of the index its query walks, ties in the order the rows were
 * stored (rowid, which ends every index): then SQLite sorts nothing. Sorting the marks by part and
 * id instead cost more than half of their query, copying every row into a sorter and back. */
static const struct
{
  const char         *member;
  const ZhEntityInfo *info;
  const char         *from;
  const char         *order;
} page_parts[] = {
  { "members", &zh_group_member_info, PAGE_MEMBERS, "t.date_from, t.rowid" },
  { "students", &zh_student_info, PAGE_STUDENTS, ALPHABETICAL ("t.last_name") ", "
                                                 ALPHABETICAL ("t.first_name") ", "
                                                 ALPHABETICAL ("t.middle_name") ", t.id" },
  { "lessons", &zh_lesson_info, PAGE_LESSONS, "t.date, t.number, t.id" },
  { "marks", &zh_mark_info, PAGE_MARKS, "l.date, l.number, t.student_id, t.rowid" },
  { "attendance", &zh_attendance_info, PAGE_ATTENDANCE, "l.date, l.number, t.student_id" },
  { "period_marks", &zh_period_mark_info, PAGE_PERIOD_MARKS, "t.student_id, t.rowid" },
};

typedef struct
{
  char *tag[G_N_ELEMENTS (page_parts)];   /* max (rev) and count (*) of each part */
  char *rows[G_N_ELEMENTS (page_parts)];  /* the rows of each part, in page order */
  int   rev_column[G_N_ELEMENTS (page_parts)];
} PageSql;

/* The page's SQL, made once: every journal request uses the very same statements. */
static const PageSql *
page_sql (void)
{
  static gsize initialised = 0;
  static PageSql sql;

  if (g_once_init_enter (&initialised))
    {
      for (guint i = 0; i < G_N_ELEMENTS (page_parts); i++)
        {
          g_autofree char *columns = zh_json_entity_columns (page_parts[i].info, "t");
          const ZhField *rev = zh_entity_info_find_field (page_parts[i].info, "rev");

          sql.tag[i] = g_strdup_printf ("SELECT coalesce (max (t.rev), 0), count(*) %s", page_parts[i].from);
          sql.rows[i] = g_strdup_printf ("SELECT %s %s ORDER BY %s", columns, page_parts[i].from,
                                         page_parts[i].order);
          sql.rev_column[i] = (int) (rev - page_parts[i].info->fields);
        }
      g_once_init_leave (&initialised, 1);
    }
  return &sql;
}

static void
bind_page (sqlite3_stmt *stmt,
           const char   *group,
           const char   *starts,
           const char   *ends,
           const char   *period)
{
  sqlite3_bind_text (stmt, 1, group, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, starts, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, ends, -1, SQLITE_STATIC);
  if (sqlite3_bind_parameter_count (stmt) >= 4)
    sqlite3_bind_text (stmt, 4, period, -1, SQLITE_STATIC);
}

/* The size of the last journal page written, in bytes. */
static int last_page_size = 64 * 1024;

static void
journal (ZhServerRequest *request,
         ZhStore         *store)
{
  static const char * const allowed[] = { "group", "period", NULL };
  const char *group = g_hash_table_lookup (request->query, "group");
  const char *period = g_hash_table_lookup (request->query, "period");
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) group_json = g_string_new (NULL);
  g_autoptr(GString) period_json = g_string_new (NULL);
  g_autoptr(ZhJsonWriter) group_writer = zh_json_writer_new (group_json);
  g_autoptr(ZhJsonWriter) period_writer = zh_json_writer_new (period_json);
  g_autoptr(GString) body = NULL;
  g_autoptr(ZhJsonWriter) writer = NULL;
  g_autoptr(GBytes) cached = NULL;
  g_autofree char *starts = NULL;
  g_autofree char *ends = NULL;
  g_autofree char *key = NULL;
  sqlite3_stmt *stmt;
  gint64 max_rev = 0;
  gint64 count = 2;
  gint64 snapshot_rev = 0;
  gboolean tag_first;

  if (!check_parameters (request, allowed))
    return;
  if (group == NULL || period == NULL)
    {
      const char *missing = group == NULL ? "group" : "period";

      zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST, "missing_field", missing,
                               _("The parameter “%s” is required."), missing);
      return;
    }
  if (!check_value (request, "group", group, VALUE_UUID) || !check_value (request, "period", period, VALUE_UUID))
    return;

  if (!write_row (group_writer, store, &zh_group_info, group, request->session.school_id, &error))
    goto row_failed;
  if (!write_row (period_writer, store, &zh_period_info, period, request->session.school_id, &error))
    goto row_failed;

  stmt = zh_store_prepare (store, "SELECT starts, ends, max ((SELECT rev FROM study_group WHERE id = ?2), rev) "
                                  "FROM period WHERE id = ?1", &error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_text (stmt, 1, period, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, group, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      starts = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      ends = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      max_rev = sqlite3_column_int64 (stmt, 2);
    }
  sqlite3_reset (stmt);
  if (starts == NULL)
    {
      g_set_error (&error, ZH_STORE_ERROR, ZH_STORE_ERROR_NOT_FOUND, "period");
      goto row_failed;
    }

  /* The last rev of this very snapshot: the tag is current as of it. The 304 fast path on the
   * main loop (zh-server.c) trusts the tag while the service's last rev stays there. */
  stmt = zh_store_prepare (store, "SELECT CAST (value AS INTEGER) FROM meta WHERE key = 'last_rev'", &error);
  if (stmt == NULL)
    goto failed;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    snapshot_rev = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  key = g_strdup_printf ("%s/%s/%s", request->session.school_id, group, period);

  /* The ETag: the largest rev and the number of the page's rows. A changed or new row gets a rev
   * larger than any other, a removed row lowers the count: any change of the page changes it.
   * When the client holds a tag or the service a body, the tag comes first from aggregates, so
   * an unchanged page costs no body; otherwise the page is written at once and its tag counted
   * from the very rows written, reading them once instead of twice. */
  tag_first = request->if_none_match != NULL || _zh_server_journal_cache_contains (request->server, key);
  if (tag_first)
    {
      for (guint i = 0; i < G_N_ELEMENTS (page_parts); i++)
        {
          stmt = zh_store_prepare (store, page_sql ()->tag[i], &error);
          if (stmt == NULL)
            goto failed;
          bind_page (stmt, group, starts, ends, period);
          if (sqlite3_step (stmt) == SQLITE_ROW)
            {
              max_rev = MAX (max_rev, sqlite3_column_int64 (stmt, 0));
              count += sqlite3_column_int64 (stmt, 1);
            }
          sqlite3_reset (stmt);
        }
      request->etag = g_strdup_printf ("\"j1-%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "\"", max_rev, count);

      if (request->if_none_match != NULL && strstr (request->if_none_match, request->etag) != NULL)
        {
          _zh_server_journal_cache_add (request->server, key, request->etag, NULL, snapshot_rev);
          request->status = SOUP_STATUS_NOT_MODIFIED;
          return;
        }
      cached = _zh_server_journal_cache_lookup (request->server, key, request->etag, snapshot_rev);
      if (cached != NULL)
        {
          request->status = SOUP_STATUS_OK;
          request->answer_bytes = g_steal_pointer (&cached);
          return;
        }
    }

  /* Room for a page a quarter larger than the last one written, so that the body is seldom
   * copied as it grows: pages are 78 KB on average at the demo's scale 3. */
  body = g_string_sized_new ((gsize) g_atomic_int_get (&last_page_size) * 5 / 4 + 4096);
  writer = zh_json_writer_new (body);
  zh_json_writer_begin_object (writer);
  zh_json_writer_key (writer, "group");
  zh_json_writer_raw (writer, group_json->str);
  zh_json_writer_key (writer, "period");
  zh_json_writer_raw (writer, period_json->str);
  for (guint i = 0; i < G_N_ELEMENTS (page_parts); i++)
    {
      int rc;

      stmt = zh_store_prepare (store, page_sql ()->rows[i], &error);
      if (stmt == NULL)
        goto failed;
      bind_page (stmt, group, starts, ends, period);
      zh_json_writer_key (writer, page_parts[i].member);
      zh_json_writer_begin_array (writer);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          zh_json_writer_add_row (writer, page_parts[i].info, stmt, 0);
          max_rev = MAX (max_rev, sqlite3_column_int64 (stmt, page_sql ()->rev_column[i]));
          count++;
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        {
          zh_store_set_error (store, rc, "journal", &error);
          goto failed;
        }
      zh_json_writer_end_array (writer);
    }
  zh_json_writer_end_object (writer);
  if (!tag_first)
    request->etag = g_strdup_printf ("\"j1-%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "\"", max_rev, count);

  g_atomic_int_set (&last_page_size, (int) MIN (body->len, 16 * 1024 * 1024));
  request->answer_bytes = g_string_free_to_bytes (g_steal_pointer (&body));
  _zh_server_journal_cache_add (request->server, key, request->etag, request->answer_bytes, snapshot_rev);
  request->status = SOUP_STATUS_OK;
  return;

row_failed:
  if (g_error_matches (error, ZH_STORE_ERROR, ZH_STORE_ERROR_NOT_FOUND))
    {
      const char *field = group_json->len == 0 ? "group" : "period";

      zh_server_request_error (request, SOUP_STATUS_NOT_FOUND, "not_found", field,
                               _("There is no %s with the id “%s”."), field,
                               g_str_equal (field, "group") ? group : period);
      return;
    }
failed:
  zh_server_request_store_error (request, error);
}

/* ---- routing ------------------------------------------------------------------------------- */

static const ZhEntityInfo *
lookup_collection (const char *name)
{
  for (guint i = 0; zh_entities[i] != NULL; i++)
    if (g_str_equal (zh_entities[i]->collection, name))
      return zh_entities[i];
  return NULL;
}

static ZhServerStageFunc
method_not_allowed (ZhServerRequest *request,
                    const char      *allow)
{
  request->allow = g_strdup (allow);
  zh_server_request_error (request, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed", NULL,
                           _("%s is not allowed on %s; use %s."), request->method, request->path, allow);
  return NULL;
}

static ZhServerStageFunc
status (ZhServerRequest *request)
{
  g_autoptr(ZhJsonWriter) writer = zh_server_request_begin_answer (request, SOUP_STATUS_OK);

  zh_json_writer_begin_object (writer);
  zh_json_writer_key (writer, "service");
  zh_json_writer_string (writer, "zhurnal-server");
  zh_json_writer_key (writer, "version");
  zh_json_writer_string (writer, PACKAGE_VERSION);
  zh_json_writer_key (writer, "api");
  zh_json_writer_int (writer, 1);
  zh_json_writer_end_object (writer);
  return NULL;
}

/* zh_server_route: the first stage of @request's route (always in the read pool), with its route
 * data filled in; NULL when the request is answered already (404, 405, the status route). */
ZhServerStageFunc
zh_server_route (ZhServerRequest *request,
                 ZhServerPool    *pool)
{
  const char *method = request->method;
  gboolean get = g_str_equal (method, "GET");
  gboolean post = g_str_equal (method, "POST");
  g_auto(GStrv) parts = NULL;
  guint n_parts;

  *pool = ZH_SERVER_POOL_READ;
  request->needs_auth = TRUE;

  if (!g_str_has_prefix (request->path, API_PREFIX))
    goto not_found;
  parts = g_strsplit (request->path + strlen (API_PREFIX), "/", 3);
  n_parts = g_strv_length (parts);

  if (n_parts == 1 && g_str_equal (parts[0], "status"))
    return get ? status (request) : method_not_allowed (request, "GET");

  if (n_parts == 1 && g_str_equal (parts[0], "session"))
    {
      if (post)
        {
          request->needs_auth = FALSE;
          request->has_body = TRUE;
          return sign_in_start;
        }
      if (get)
        return session_get;
      if (g_str_equal (method, "DELETE"))
        return sign_out_start;
      return method_not_allowed (request, "GET, POST, DELETE");
    }
  if (n_parts == 2 && g_str_equal (parts[0], "session") && g_str_equal (parts[1], "password"))
    {
      if (!post)
        return method_not_allowed (request, "POST");
      request->has_body = TRUE;
      return password_start;
    }
  if (n_parts == 1 && g_str_equal (parts[0], "changes"))
    return get ? changes : method_not_allowed (request, "GET");
  if (n_parts == 1 && g_str_equal (parts[0], "journal"))
    return get ? journal : method_not_allowed (request, "GET");
  if (n_parts == 1 && g_str_equal (parts[0], "audit"))
    return get ? audit_list : method_not_allowed (request, "GET");
  if (n_parts == 1 && (g_str_equal (parts[0], "batch") || g_str_equal (parts[0], "imports")))
    {
      if (!post)
        return method_not_allowed (request, "POST");
      request->has_body = TRUE;
      return g_str_equal (parts[0], "batch") ? _zh_server_batch_start : _zh_server_import_start;
    }

  if (n_parts >= 1 && n_parts <= 2 && (request->entity = lookup_collection (parts[0])) != NULL)
    {
      if (!get)
        return method_not_allowed (request, "GET");
      if (n_parts == 1)
        return collection_list;
      if (!is_uuid (parts[1]))
        goto not_found;
      request->id = g_strdup (parts[1]);
      return collection_item;
    }

not_found:
  zh_server_request_error (request, SOUP_STATUS_NOT_FOUND, "not_found", NULL,
                           _("There is no route %s here; see data/api/openapi.yaml."), request->path);
  return NULL;
}
