/* test-store: opening, creating and migrating databases (DESIGN.md §2, STYLE.md "The store"). */
#define G_LOG_DOMAIN "test-store"

#include "config.h"

#include <sys/stat.h>
#include <glib/gstdio.h>

#include "zh-store.h"
#include "zh-test-utils.h"

typedef struct
{
  char *dir;
  char *path;
} StoreFixture;

static void
fixture_setup (StoreFixture  *fixture,
               gconstpointer  data)
{
  fixture->dir = zh_test_tmpdir_new ();
  fixture->path = g_build_filename (fixture->dir, "zhurnal.sqlite", NULL);
}

static void
fixture_teardown (StoreFixture  *fixture,
                  gconstpointer  data)
{
  g_free (fixture->path);
  zh_test_tmpdir_free (fixture->dir);
}

/* The schema as SQLite sees it: every table, index and column, in a canonical order. */
static char *
dump_schema (sqlite3 *db)
{
  GString *out = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT m.type, m.name, p.cid, p.name, p.type, p.\"notnull\", "
                                       "       p.dflt_value, p.pk "
                                       "FROM sqlite_master m LEFT JOIN pragma_table_info (m.name) p "
                                       "WHERE m.name NOT LIKE 'sqlite_%' "
                                       "ORDER BY m.type, m.name, p.cid", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        g_string_append_printf (out, "%s|", (const char *) sqlite3_column_text (stmt, i));
      g_string_append_c (out, '\n');
    }
  sqlite3_finalize (stmt);

  /* Indexes and checks live in the SQL text: compare the index list's columns too. */
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT m.name, i.seqno, i.name FROM sqlite_master m, "
                                       "pragma_index_info (m.name) i WHERE m.type = 'index' "
                                       "ORDER BY m.name, i.seqno", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (out, "index %s %d %s\n", sqlite3_column_text (stmt, 0),
                            sqlite3_column_int (stmt, 1), sqlite3_column_text (stmt, 2));
  sqlite3_finalize (stmt);
  return g_string_free (out, FALSE);
}

static char *
read_text (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* A new database gets the current schema, WAL, foreign keys and mode 0600 (DEVELOPERS.md rule 8:
 * the offline copy holds children's personal data). */
static void
test_create (StoreFixture  *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStore) store = NULL;
  sqlite3_stmt *stmt;
  GStatBuf st;

  store = zh_store_open (fixture->path, ZH_STORE_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (zh_store_get_version (store), ==, ZH_STORE_VERSION);

  g_assert_cmpint (g_stat (fixture->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  stmt = zh_store_prepare (store, "PRAGMA journal_mode", &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
  sqlite3_reset (stmt);

  stmt = zh_store_prepare (store, "PRAGMA foreign_keys", &error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1);
  sqlite3_reset (stmt);

  /* A reference to a school that does not exist is refused. */
  g_assert_false (zh_store_exec (store, "INSERT INTO subject (id, school_id, name, short_name) "
                                        "VALUES ('a', 'no-such-school', 'Математика', 'Мат.')", &error));
  g_assert_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_CONSTRAINT);
}

/* An existing file readable by others is made private when opened. */
static void
test_tighten_mode (StoreFixture  *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStore) store = NULL;
  GStatBuf st;

  g_clear_object (&store);
  store = zh_store_open (fixture->path, ZH_STORE_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_clear_object (&store);
  g_assert_cmpint (g_chmod (fixture->path, 0644), ==, 0);

  store = zh_store_open (fixture->path, ZH_STORE_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (fixture->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

/* A version 1 database, as released, is brought to the current version with its rows kept, and
 * ends up with exactly the schema a new database has. */
static void
test_migrate_from_v1 (StoreFixture  *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStore) fresh = NULL;
  g_autoptr(ZhStore) store = NULL;
  g_autofree char *fresh_path = g_build_filename (fixture->dir, "fresh.sqlite", NULL);
  g_autofree char *v1_path = zh_test_source_path ("tests", "data", "schema-v1.sql", NULL);
  g_autofree char *v1_sql = read_text (v1_path);
  g_autofree char *expected = NULL;
  g_autofree char *migrated = NULL;
  g_autofree char *name = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt;

  /* Make the v1 database by hand, as Zhurnal 0.1 did, with a row in it. */
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, v1_sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA application_id = 1514689102;"
                                     "INSERT INTO school (id, name, full_name) "
                                     "VALUES ('s1', 'Школа № 1', 'МАОУ СОШ № 1')", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = zh_store_open (fixture->path, ZH_STORE_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (zh_store_get_version (store), ==, ZH_STORE_VERSION);

  stmt = zh_store_prepare (store, "SELECT name FROM school WHERE id = 's1'", &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  g_assert_cmpstr (name, ==, "Школа № 1");

  fresh = zh_store_open (fresh_path, ZH_STORE_FLAGS_NONE, &error);
  g_assert_no_error (error);
  expected = dump_schema (zh_store_get_db (fresh));
  migrated = dump_schema (zh_store_get_db (store));
  g_assert_cmpstr (migrated, ==, expected);
}

/* A migration step that fails leaves the database as it was, at its old version. */
static void
test_migrate_failure_rolls_back (StoreFixture  *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStore) store = NULL;
  g_autofree char *v1_path = zh_test_source_path ("tests", "data", "schema-v1.sql", NULL);
  g_autofree char *v1_sql = read_text (v1_path);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  /* A table the step creates already exists, so step 2 fails half-way. */
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, v1_sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA application_id = 1514689102;"
                                     "CREATE TABLE account (x)", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = zh_store_open (fixture->path, ZH_STORE_FLAGS_NONE, &error);
  g_assert_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_MIGRATION);
  g_assert_null (store);

  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT (SELECT user_version FROM pragma_user_version), "
                                           "(SELECT count(*) FROM sqlite_master WHERE name = 'change')",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1);
  g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* Files that are not Zhurnal databases are refused, never "migrated". */
static void
test_refuse_foreign (StoreFixture  *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStore) store = NULL;
  g_autofree char *text_path = g_build_filename (fixture->dir, "notes.txt", NULL);
  sqlite3 *db = NULL;

  /* Another program's SQLite database. */
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE t (x)", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  store = zh_store_open (fixture->path, ZH_STORE_FLAGS_NONE, &error);
  g_assert_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_CORRUPT);
  g_assert_null (store);
  g_clear_error (&error);

  /* A text file. */
  g_assert_true (g_file_set_contents (text_path, "Это не база данных, а заметки учителя.\n"
                                      "Их много, чтобы SQLite прочитал заголовок файла целиком.\n"
                                      "………………………………………………………………………………", -1, NULL));
  store = zh_store_open (text_path, ZH_STORE_FLAGS_NONE, &error);
  g_assert_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_CORRUPT);
  g_assert_null (store);
}

/* A database from a newer Zhurnal is left alone with a clear message. */
static void
test_refuse_newer (StoreFixture  *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStore) store = NULL;

  store = zh_store_open (fixture->path, ZH_STORE_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (zh_store_exec (store, "PRAGMA user_version = 99", &error));
  g_clear_object (&store);

  store = zh_store_open (fixture->path, ZH_STORE_FLAGS_NONE, &error);
  g_assert_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_TOO_NEW);
  g_assert_nonnull (strstr (error->message, "99"));
  g_assert_null (store);
}

static int
count_rows (ZhStore    *store,
            const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  sqlite3_stmt *stmt = zh_store_prepare (store, sql, NULL);
  int n;

  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}

/* Locks nest as savepoints: an inner rollback undoes only the inner part, an outer rollback all. */
static void
test_nested_locks (StoreFixture  *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStore) store = zh_store_open (fixture->path, ZH_STORE_FLAGS_NONE, &error);

  g_assert_no_error (error);
  g_assert_true (zh_store_lock (store, &error));
  g_assert_true (zh_store_set_meta (store, "outer", "1", &error));
  g_assert_true (zh_store_lock (store, &error));
  g_assert_true (zh_store_set_meta (store, "inner", "1", &error));
  g_assert_true (zh_store_unlock (store, ZH_STORE_UNLOCK_ROLLBACK, &error));
  g_assert_true (zh_store_in_transaction (store));
  g_assert_true (zh_store_unlock (store, ZH_STORE_UNLOCK_COMMIT, &error));
  g_assert_no_error (error);
  g_assert_false (zh_store_in_transaction (store));
  g_assert_cmpint (count_rows (store, "meta"), ==, 1);

  g_autofree char *outer = zh_store_dup_meta (store, "outer");
  g_autofree char *inner = zh_store_dup_meta (store, "inner");
  g_assert_cmpstr (outer, ==, "1");
  g_assert_null (inner);

  g_assert_true (zh_store_lock (store, &error));
  g_assert_true (zh_store_set_meta (store, "gone", "1", &error));
  g_assert_true (zh_store_lock (store, &error));
  g_assert_true (zh_store_set_meta (store, "gone-too", "1", &error));
  g_assert_true (zh_store_unlock (store, ZH_STORE_UNLOCK_COMMIT, &error));
  g_assert_true (zh_store_unlock (store, ZH_STORE_UNLOCK_ROLLBACK, &error));
  g_assert_cmpint (count_rows (store, "meta"), ==, 1);

  g_assert_true (zh_store_set_meta (store, "outer", NULL, &error));
  g_assert_cmpint (count_rows (store, "meta"), ==, 0);
}

/* A cancelled operation stops with ZH_STORE_ERROR_CANCELLED. */
static void
test_cancel (StoreFixture  *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStore) store = zh_store_open (fixture->path, ZH_STORE_FLAGS_NONE, &error);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_assert_no_error (error);
  zh_store_set_cancellable (store, cancellable);
  g_cancellable_cancel (cancellable);
  g_assert_false (zh_store_exec (store, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
                                        "FROM n WHERE i < 10000000) SELECT count(*) FROM n", &error));
  g_assert_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_CANCELLED);
}

/* Names sort as in a paper class journal: alphabetically, with Ё filed under Е. */
static void
test_journal_collation (StoreFixture  *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStore) store = zh_store_open (fixture->path, ZH_STORE_FLAGS_NONE, &error);
  g_autoptr(GString) order = g_string_new (NULL);
  sqlite3_stmt *stmt;

  g_assert_no_error (error);
  stmt = zh_store_prepare (store, "SELECT column1 FROM (VALUES ('Жуков'), ('Ёлкин'), ('Абрамов'), "
                                  "('Елисеев'), ('Ежов'), ('ёжиков')) ORDER BY column1 COLLATE journal",
                           &error);
  g_assert_no_error (error);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (order, "%s ", sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  g_assert_cmpstr (order->str, ==, "Абрамов Ежов Елисеев Ёлкин Жуков ёжиков ");
}

/* A read-only open of a missing file fails cleanly and creates nothing. */
static void
test_read_only_missing (StoreFixture  *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStore) store = zh_store_open (fixture->path, ZH_STORE_FLAGS_READ_ONLY, &error);

  g_assert_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_OPEN);
  g_assert_null (store);
  g_assert_false (g_file_test (fixture->path, G_FILE_TEST_EXISTS));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, StoreFixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/store/create", test_create);
  ADD ("/store/private-mode", test_tighten_mode);
  ADD ("/store/migrate/from-v1", test_migrate_from_v1);
  ADD ("/store/migrate/failure-rolls-back", test_migrate_failure_rolls_back);
  ADD ("/store/refuse/foreign-file", test_refuse_foreign);
  ADD ("/store/refuse/newer-version", test_refuse_newer);
  ADD ("/store/lock/nested", test_nested_locks);
  ADD ("/store/cancel", test_cancel);
  ADD ("/store/read-only/missing", test_read_only_missing);
  ADD ("/store/collation/journal", test_journal_collation);
#undef ADD

  return g_test_run ();
}
