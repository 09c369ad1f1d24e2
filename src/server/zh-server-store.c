/* zh-server-store.c: the rev counter, the changes feed, school scope, accounts, demo preparation. */
#define G_LOG_DOMAIN "zh-server"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include <sodium.h>

#include "zh-server.h"
#include "zh-server-store.h"

static gboolean
ensure_sodium (void)
{
  static gsize initialised = 0;
  static gboolean ok = FALSE;

  if (g_once_init_enter (&initialised))
    {
      ok = sodium_init () >= 0;
      g_once_init_leave (&initialised, 1);
    }
  return ok;
}

/* zh_server_hash_password: (transfer full): the Argon2id hash of @password in libsodium's string
 * form (algorithm, cost and salt included), or NULL with @error set. Slow on purpose. */
char *
zh_server_hash_password (const char  *password,
                         GError     **error)
{
  char hash[crypto_pwhash_STRBYTES];

  g_return_val_if_fail (password != NULL, NULL);

  if (!ensure_sodium () ||
      crypto_pwhash_str (hash, password, strlen (password),
                         crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      g_set_error (error, ZH_SERVER_ERROR, ZH_SERVER_ERROR_PASSWORD,
                   _("Cannot hash a password: not enough memory."));
      return NULL;
    }
  return g_strdup (hash);
}

/* zh_server_verify_password: whether @password matches the Argon2id @hash. Slow on purpose. */
gboolean
zh_server_verify_password (const char *hash,
                           const char *password)
{
  g_return_val_if_fail (hash != NULL, FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  return ensure_sodium () && crypto_pwhash_str_verify (hash, password, strlen (password)) == 0;
}

/* The school of a row of each entity, as an SQL expression over the row aliased `t`. This is the
 * one place that says which school a row belongs to: the changes feed records it, and every read
 * route filters on it, so a staff member only ever reads their own school. */
static const struct
{
  const char *entity;
  const char *expression;
} school_expressions[] = {
  { "school", "t.id" },
  { "academic_year", "t.school_id" },
  { "period", "(SELECT y.school_id FROM academic_year y WHERE y.id = t.year_id)" },
  { "staff", "t.school_id" },
  { "class", "(SELECT y.school_id FROM academic_year y WHERE y.id = t.year_id)" },
  { "student", "t.school_id" },
  { "enrollment", "(SELECT s.school_id FROM student s WHERE s.id = t.student_id)" },
  { "subject", "t.school_id" },
  { "group", "(SELECT s.school_id FROM subject s WHERE s.id = t.subject_id)" },
  { "group_member", "(SELECT s.school_id FROM student s WHERE s.id = t.student_id)" },
  { "curriculum", "(SELECT s.school_id FROM subject s WHERE s.id = t.subject_id)" },
  { "plan_item", "(SELECT s.school_id FROM study_group g JOIN subject s ON s.id = g.subject_id "
                 "WHERE g.id = t.group_id)" },
  { "timetable_slot", "(SELECT s.school_id FROM study_group g JOIN subject s ON s.id = g.subject_id "
                      "WHERE g.id = t.group_id)" },
  { "lesson", "(SELECT s.school_id FROM study_group g JOIN subject s ON s.id = g.subject_id "
              "WHERE g.id = t.group_id)" },
  { "mark", "(SELECT s.school_id FROM student s WHERE s.id = t.student_id)" },
  { "attendance", "(SELECT s.school_id FROM student s WHERE s.id = t.student_id)" },
  { "period_mark", "(SELECT s.school_id FROM student s WHERE s.id = t.student_id)" },
  { "correction", "(SELECT s.school_id FROM staff s WHERE s.id = t.authorised_by)" },
};

/* zh_server_school_expression: the SQL expression giving the school id of a row of @info's table
 * aliased `t`. */
const char *
zh_server_school_expression (const ZhEntityInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (school_expressions); i++)
    if (g_str_equal (school_expressions[i].entity, info->name))
      return school_expressions[i].expression;
  g_assert_not_reached ();
}

/* zh_server_store_get_last_rev: the last rev given, 0 in a new database. */
gint64
zh_server_store_get_last_rev (ZhStore *store)
{
  g_autofree char *value = NULL;
  sqlite3_stmt *stmt;
  gint64 rev = 0;

  g_return_val_if_fail (ZH_IS_STORE (store), 0);

  value = zh_store_dup_meta (store, "last_rev");
  if (value != NULL)
    return g_ascii_strtoll (value, NULL, 10);

  /* A database filled before the counter existed: start after the largest rev in the feed. */
  stmt = zh_store_prepare (store, "SELECT coalesce (max (rev), 0) FROM change", NULL);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    rev = sqlite3_column_int64 (stmt, 0);
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return rev;
}

/* zh_server_store_take_revs: reserve @count new revs, @first_rev … @first_rev + @count - 1.
 * Must run inside a write transaction, which then persists the counter with the rows. */
gboolean
zh_server_store_take_revs (ZhStore  *store,
                           gint64    count,
                           gint64   *first_rev,
                           GError  **error)
{
  g_autofree char *text = NULL;
  gint64 last;

  g_return_val_if_fail (ZH_IS_STORE (store), FALSE);
  g_return_val_if_fail (zh_store_in_transaction (store), FALSE);
  g_return_val_if_fail (count >= 0, FALSE);
  g_return_val_if_fail (first_rev != NULL, FALSE);

  last = zh_server_store_get_last_rev (store);
  *first_rev = last + 1;
  text = g_strdup_printf ("%" G_GINT64_FORMAT, last + count);
  return zh_store_set_meta (store, "last_rev", text, error);
}

/* zh_server_store_record_change: give the row @id of @info a new rev and make it the row's entry
 * in the changes feed (a tombstone when @deleted; the row itself is then already gone). Must run
 * inside a write transaction. */
gboolean
zh_server_store_record_change (ZhStore             *store,
                               const ZhEntityInfo  *info,
                               const char          *id,
                               const char          *school_id,
                               gboolean             deleted,
                               gint64              *rev,
                               GError             **error)
{
  sqlite3_stmt *stmt;
  gint64 new_rev;

  g_return_val_if_fail (ZH_IS_STORE (store), FALSE);
  g_return_val_if_fail (info != NULL && id != NULL && school_id != NULL, FALSE);

  if (!zh_server_store_take_revs (store, 1, &new_rev, error))
    return FALSE;

  if (!deleted)
    {
      g_autofree char *sql = g_strdup_printf ("UPDATE %s SET rev = ?1 WHERE id = ?2", info->table);

      stmt = zh_store_prepare (store, sql, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, new_rev);
      sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
      if (!zh_store_step_done (store, stmt, error))
        return FALSE;
    }

  /* REPLACE drops the row's older entry (UNIQUE (entity, entity_id)): the feed keeps only the
   * latest change of each row. */
  stmt = zh_store_prepare (store,
                           "INSERT OR REPLACE INTO change (rev, school_id, entity, entity_id, deleted) "
                           "VALUES (?1, ?2, ?3, ?4, ?5)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, new_rev);
  sqlite3_bind_text (stmt, 2, school_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, info->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 5, deleted ? 1 : 0);
  if (!zh_store_step_done (store, stmt, error))
    return FALSE;

  if (rev != NULL)
    *rev = new_rev;
  return TRUE;
}

/* zh_server_store_set_password: keep the Argon2id hash of @password as @staff_id's password. */
gboolean
zh_server_store_set_password (ZhStore     *store,
                              const char  *staff_id,
                              const char  *password,
                              GError     **error)
{
  g_autofree char *hash = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (ZH_IS_STORE (store), FALSE);
  g_return_val_if_fail (staff_id != NULL && password != NULL, FALSE);

  hash = zh_server_hash_password (password, error);
  if (hash == NULL)
    return FALSE;
  stmt = zh_store_prepare (store,
                           "INSERT INTO account (staff_id, password_hash, changed_at) VALUES (?1, ?2, ?3) "
                           "ON CONFLICT (staff_id) DO UPDATE SET password_hash = excluded.password_hash, "
                           "changed_at = excluded.changed_at", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, staff_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time () / G_USEC_PER_SEC);
  return zh_store_step_done (store, stmt, error);
}

/* The demo accounts: these logins get the password "demo" (DESIGN.md §8). */
static const char * const demo_logins[] = { "admin", "deputy", "classteacher", "teacher" };
#define DEMO_PASSWORD "demo"

/* Give every row with rev 0 of @info a rev, in rowid order, and its entry in the changes feed. */
static gboolean
assign_revs (ZhStore             *store,
             const ZhEntityInfo  *info,
             GError             **error)
{
  g_autofree char *count_sql = g_strdup_printf ("SELECT count(*) FROM %s WHERE rev = 0", info->table);
  g_autofree char *change_sql = NULL;
  g_autofree char *update_sql = NULL;
  sqlite3_stmt *stmt;
  gint64 count = 0;
  gint64 first;

  stmt = zh_store_prepare (store, count_sql, error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    count = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (count == 0)
    return TRUE;

  if (!zh_server_store_take_revs (store, count, &first, error))
    return FALSE;

  change_sql = g_strdup_printf ("INSERT OR REPLACE INTO change (rev, school_id, entity, entity_id, deleted) "
                                "SELECT ?1 - 1 + row_number () OVER (ORDER BY t.rowid), %s, '%s', t.id, 0 "
                                "FROM %s t WHERE t.rev = 0",
                                zh_server_school_expression (info), info->name, info->table);
  stmt = zh_store_prepare (store, change_sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, first);
  if (!zh_store_step_done (store, stmt, error))
    return FALSE;

  update_sql = g_strdup_printf ("UPDATE %s SET rev = (SELECT c.rev FROM change c WHERE c.entity = '%s' "
                                "AND c.entity_id = %s.id) WHERE rev = 0",
                                info->table, info->name, info->table);
  return zh_store_exec (store, update_sql, error);
}

/* zh_server_prepare_demo: make a freshly generated demo school ready to serve: every row gets a
 * rev and its entry in the changes feed (in the dependency order of zh_entities), and the staff
 * with the logins admin, deputy, classteacher and teacher get the password "demo". All or
 * nothing. */
gboolean
zh_server_prepare_demo (ZhStore  *store,
                        GError  **error)
{
  g_autoptr(GPtrArray) staff_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) hashes = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;

  g_return_val_if_fail (ZH_IS_STORE (store), FALSE);

  /* Hash before taking the write lock: each hash takes a good fraction of a second. */
  for (guint i = 0; i < G_N_ELEMENTS (demo_logins); i++)
    {
      char *hash;

      stmt = zh_store_prepare (store, "SELECT id FROM staff WHERE login = ?1", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, demo_logins[i], -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        {
          sqlite3_reset (stmt);
          g_set_error (error, ZH_SERVER_ERROR, ZH_SERVER_ERROR_DEMO,
                       _("The demo school has no staff member with the login “%s”."), demo_logins[i]);
          return FALSE;
        }
      g_ptr_array_add (staff_ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      sqlite3_reset (stmt);

      hash = zh_server_hash_password (DEMO_PASSWORD, error);
      if (hash == NULL)
        return FALSE;
      g_ptr_array_add (hashes, hash);
    }

  if (!zh_store_lock (store, error))
    return FALSE;

  for (guint i = 0; zh_entities[i] != NULL; i++)
    if (!assign_revs (store, zh_entities[i], error))
      goto failed;

  for (guint i = 0; i < staff_ids->len; i++)
    {
      stmt = zh_store_prepare (store,
                               "INSERT OR REPLACE INTO account (staff_id, password_hash, changed_at) "
                               "VALUES (?1, ?2, ?3)", error);
      if (stmt == NULL)
        goto failed;
      sqlite3_bind_text (stmt, 1, staff_ids->pdata[i], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, hashes->pdata[i], -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, g_get_real_time () / G_USEC_PER_SEC);
      if (!zh_store_step_done (store, stmt, error))
        goto failed;
    }

  return zh_store_unlock (store, ZH_STORE_UNLOCK_COMMIT, error);

failed:
  zh_store_unlock (store, ZH_STORE_UNLOCK_ROLLBACK, NULL);
  return FALSE;
}

/* zh_server_describe_demo_accounts: (transfer full): the demo accounts as lines for the console:
 * login, password, roles and full name. */
char *
zh_server_describe_demo_accounts (ZhStore *store)
{
  g_autoptr(GFlagsClass) roles_class = g_type_class_ref (ZH_TYPE_ROLES);
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (ZH_IS_STORE (store), NULL);

  g_string_append_printf (out, _("Demo accounts (password “%s”):"), DEMO_PASSWORD);
  g_string_append_c (out, '\n');
  for (guint i = 0; i < G_N_ELEMENTS (demo_logins); i++)
    {
      sqlite3_stmt *stmt = zh_store_prepare (store,
                                             "SELECT roles, last_name, first_name, middle_name "
                                             "FROM staff WHERE login = ?1", NULL);
      g_autoptr(GString) roles = g_string_new (NULL);
      guint bits;

      if (stmt == NULL)
        break;
      sqlite3_bind_text (stmt, 1, demo_logins[i], -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        {
          sqlite3_reset (stmt);
          continue;
        }
      bits = (guint) sqlite3_column_int64 (stmt, 0);
      for (guint v = 0; v < roles_class->n_values; v++)
        if ((bits & roles_class->values[v].value) != 0)
          g_string_append_printf (roles, "%s%s", roles->len > 0 ? "," : "",
                                  roles_class->values[v].value_nick);
      g_string_append_printf (out, "  %-13s %-28s %s %s %s\n", demo_logins[i], roles->str,
                              (const char *) sqlite3_column_text (stmt, 1),
                              (const char *) sqlite3_column_text (stmt, 2),
                              (const char *) sqlite3_column_text (stmt, 3));
      sqlite3_reset (stmt);
    }
  return g_string_free (out, FALSE);
}
