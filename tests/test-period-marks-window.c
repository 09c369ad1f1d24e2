/* test-period-marks-window: the real application under Xvfb, opened offline-first on a teacher's
 * offline copy holding the generated demo school (the service away, the kept session), and the
 * teacher typing in the summary columns of a period page (issue 6 §3, §4): a quarter mark goes
 * into the copy with its outbox operation and shows on the grid at once, waiting; the average is
 * untouched; a key that is not a mark of the scale is refused with the policy's reason; the
 * calculated «Расч.» column refuses typing; on the year page «Год» takes the year mark and the
 * quarter's column shows the quarter mark, both waiting. Keys go in through ZhGrid::cell-input,
 * as the grid emits them for a typed character (GTK 4 has no in-process key synthesis, FACTS.md
 * "GTK 4.8 headless"). */
#define G_LOG_DOMAIN "test-period-marks-window"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include <sqlite3.h>

#include "zh-account.h"
#include "zh-application.h"
#include "zh-demo.h"
#include "zh-entity-sql.h"
#include "zh-grid-private.h"
#include "zh-journal-model.h"
#include "zh-offline.h"
#include "zh-test-utils.h"
#include "zh-version.h"
#include "zh-window-private.h"

/* Nothing listens on port 1: every request fails at once as "offline". */
#define SERVER_URL "http://127.0.0.1:1"

static char *copy_path;
static char *group_id;
static char *period_id;
static ZhApplication *app;
static ZhWindow *window;
static gboolean done;

/* ---- the copy ------------------------------------------------------------------------------- */

static char *
copy_text (const char *sql,
           const char *a,
           const char *b)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_open_v2 (copy_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  if (a != NULL)
    sqlite3_bind_text (stmt, 1, a, -1, SQLITE_STATIC);
  if (b != NULL)
    sqlite3_bind_text (stmt, 2, b, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static gint64
copy_int (const char *sql,
          const char *a,
          const char *b)
{
  g_autofree char *text = copy_text (sql, a, b);

  g_assert_nonnull (text);
  return g_ascii_strtoll (text, NULL, 10);
}

/* The teacher's account on this computer as a sign-in leaves it: the copy (here the demo school,
 * as if synced), the kept session token, the account current. The service is away, so the window
 * opens the copy offline-first (issue 6 §1). */
static void
make_account (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhAccount) account = zh_account_new (SERVER_URL, "teacher", &error);
  g_autoptr(ZhOffline) offline = NULL;
  g_autoptr(ZhStaff) staff = NULL;
  g_autofree char *staff_id = NULL;
  g_autofree char *notice = NULL;
  ZhDemoOptions options = { 0.25, 1, NULL };
  ZhTokenStore where = ZH_TOKEN_STORE_NONE;

  g_assert_no_error (error);
  offline = zh_account_open_offline (account, &error);
  g_assert_no_error (error);
  g_assert_true (zh_demo_generate (zh_offline_get_store (offline), &options, NULL, NULL, NULL,
                                   &error));
  g_assert_no_error (error);
  copy_path = g_strdup (zh_offline_get_path (offline));
  staff_id = copy_text ("SELECT id FROM staff WHERE login = 'teacher'", NULL, NULL);
  staff = zh_store_get_entity (zh_offline_get_store (offline), &zh_staff_info, staff_id, &error);
  g_assert_no_error (error);
  g_assert_true (zh_offline_set_account (offline, SERVER_URL, staff, &error));
  g_assert_no_error (error);
  g_assert_true (zh_account_store_token (account, "kept-session-token", &where, &notice, &error));
  g_assert_no_error (error);
  g_assert_true (zh_account_make_current (account, &error));
  g_assert_no_error (error);

  /* A group of the teacher's with marks (grade 5 and up) and a period of it whose period marks
   * are still open — not ended more than 3 days ago (000 §4.2.4) — begun if one is. */
  group_id = copy_text ("SELECT g.id FROM study_group g JOIN class c ON c.id = g.class_id "
                        "WHERE g.teacher_id = ?1 AND c.grade >= 5 AND c.year_id = (SELECT id "
                        "FROM academic_year ORDER BY starts DESC LIMIT 1) ORDER BY c.grade, g.id "
                        "LIMIT 1", staff_id, NULL);
  g_assert_nonnull (group_id);
  period_id = copy_text ("SELECT p.id FROM period p JOIN class c ON c.year_id = p.year_id "
                         "JOIN study_group g ON g.class_id = c.id WHERE g.id = ?1 "
                         "AND c.grade BETWEEN p.grade_from AND p.grade_to "
                         "AND p.ends >= date ('now', '-3 days') "
                         "ORDER BY p.starts > date ('now'), p.ends LIMIT 1", group_id, NULL);
  if (period_id == NULL)
    {
      /* The holidays after the year: its last period, the school's window widened to reach it
       * (a setting of docs/policy.md), so the test does not depend on the season. */
      g_autofree char *sql = NULL;

      period_id = copy_text ("SELECT p.id FROM period p JOIN class c ON c.year_id = p.year_id "
                             "JOIN study_group g ON g.class_id = c.id WHERE g.id = ?1 "
                             "AND c.grade BETWEEN p.grade_from AND p.grade_to "
                             "ORDER BY p.ends DESC LIMIT 1", group_id, NULL);
      sql = g_strdup ("UPDATE school SET policy = '{\"period_marks_deadline_days\": 120}'");
      g_assert_true (zh_store_exec (zh_offline_get_store (offline), sql, &error));
      g_assert_no_error (error);
    }
  g_assert_nonnull (period_id);
}

/* ---- driving the window --------------------------------------------------------------------- */

typedef gboolean (*Check) (void);

static void
wait_for (Check       check,
          const char *what)
{
  zh_test_wait_for (check, what, 30);
}

static gboolean
window_shown (void)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (active == NULL || !gtk_widget_get_mapped (GTK_WIDGET (active)))
    return FALSE;
  window = ZH_WINDOW (active);
  return TRUE;
}

static gboolean
journal_shown (void)
{
  return g_strcmp0 (_zh_window_get_main_page (window), "journal") == 0 &&
         _zh_window_get_page (window) != NULL;
}

static gboolean
chosen_page_shown (void)
{
  ZhJournalPage *page = _zh_window_get_page (window);

  return page != NULL && g_strcmp0 (page->info.group_id, group_id) == 0 &&
         g_strcmp0 (page->period.id, period_id) == 0;
}

static guint typed_row;

static gboolean
period_mark_shown (void)
{
  ZhJournalPage *page = _zh_window_get_page (window);

  return page != NULL && typed_row < page->n_rows &&
         g_strcmp0 (page->rows[typed_row].period_mark, "4") == 0;
}

static char *expected_toast;

static gboolean
toast_shown (void)
{
  return g_strcmp0 (_zh_window_get_last_toast (window), expected_toast) == 0;
}

static gboolean
year_page_shown (void)
{
  ZhJournalPage *page = _zh_window_get_page (window);

  return page != NULL && g_strcmp0 (page->info.group_id, group_id) == 0 && page->period.id == NULL;
}

static char *typed_student;

static gboolean
year_mark_shown (void)
{
  ZhJournalPage *page = _zh_window_get_page (window);
  int row;

  if (!year_page_shown ())
    return FALSE;
  row = zh_journal_page_find_row (page, typed_student);
  return row >= 0 && g_strcmp0 (page->rows[row].period_mark, "5") == 0;
}

/* A key typed with the cursor on the cell. */
static void
type (guint       row,
      guint       column,
      const char *text)
{
  zh_grid_set_cursor (_zh_window_get_grid (window), row, column);
  g_signal_emit_by_name (_zh_window_get_grid (window), "cell-input", row, column, text);
}

static ZhGridCell
grid_cell (guint row,
           guint column)
{
  ZhGridModel *model = zh_grid_get_model (_zh_window_get_grid (window));
  ZhGridCell cell = { 0 };

  zh_grid_model_get_cell (model, row, column, &cell);
  return cell;
}

/* The summary column (counted over all columns) holding @kind. */
static guint
summary_column (ZhJournalSummary kind)
{
  ZhJournalModel *model = ZH_JOURNAL_MODEL (zh_grid_get_model (_zh_window_get_grid (window)));
  guint n_lessons = _zh_window_get_page (window)->n_lessons;

  for (guint s = 0; s < zh_journal_model_get_n_summaries (model); s++)
    if (zh_journal_model_get_summary (model, s, NULL) == kind)
      return n_lessons + s;
  g_assert_not_reached ();
}

static gboolean
run_script (gpointer data)
{
  ZhJournalPage *page;
  guint period_column, average_column, suggested_column;
  g_autofree char *average_before = NULL;
  g_autofree char *student_id = NULL;
  g_autofree char *value = NULL;
  guint cursor_row = 0, cursor_column = 0, year_column;
  int year_row;
  gint64 ops;

  wait_for (window_shown, "the window");
  /* The kept account opens offline-first, straight onto the journal (issue 6 §1). */
  wait_for (journal_shown, "the journal of the kept account");
  g_assert_true (zh_window_select_page (window, group_id, period_id));
  wait_for (chosen_page_shown, "the period page");
  page = _zh_window_get_page (window);
  g_assert_nonnull (page->period.id);

  period_column = summary_column (ZH_JOURNAL_SUMMARY_PERIOD_MARK);
  average_column = summary_column (ZH_JOURNAL_SUMMARY_AVERAGE);
  suggested_column = summary_column (ZH_JOURNAL_SUMMARY_SUGGESTED);
  typed_row = G_MAXUINT;
  for (guint r = 0; r + 1 < page->n_rows && typed_row == G_MAXUINT; r++)
    if (page->rows[r].period_mark == NULL && page->rows[r].date_to == NULL)
      typed_row = r;
  g_assert_cmpuint (typed_row, !=, G_MAXUINT);
  student_id = g_strdup (page->rows[typed_row].student_id);
  typed_student = student_id;
  average_before = g_strdup (grid_cell (typed_row, average_column).text);
  g_assert_null (grid_cell (typed_row, period_column).text);

  /* 000 §4.2.4, §7: the teacher types the quarter mark in its column: in the copy with its
   * outbox operation (DESIGN.md §4), and on the grid at once, waiting to be sent. */
  type (typed_row, period_column, "4");
  /* The cursor goes down to the next student, as a column is filled on paper. */
  g_assert_true (zh_grid_get_cursor (_zh_window_get_grid (window), &cursor_row, &cursor_column));
  g_assert_cmpuint (cursor_row, ==, typed_row + 1);
  g_assert_cmpuint (cursor_column, ==, period_column);
  wait_for (period_mark_shown, "the period mark on the page read again after the edit");
  value = copy_text ("SELECT value FROM period_mark WHERE student_id = ?1 AND period_id = ?2 "
                     "AND kind = 'period' AND state = 'active'", student_id, period_id);
  g_assert_cmpstr (value, ==, "4");
  g_assert_cmpint (copy_int ("SELECT count (*) FROM outbox WHERE entity = 'period_mark' AND "
                             "json_extract (value, '$.student_id') = ?1 AND "
                             "json_extract (value, '$.period_id') = ?2 AND state = 'pending'",
                             student_id, period_id), ==, 1);
  page = _zh_window_get_page (window);
  g_assert_true (chosen_page_shown ());
  g_assert_cmpstr (page->rows[typed_row].student_id, ==, student_id);
  g_assert_cmpstr (page->rows[typed_row].period_mark, ==, "4");
  g_assert_cmpstr (grid_cell (typed_row, period_column).text, ==, "4");
  g_assert_true (grid_cell (typed_row, period_column).flags & ZH_GRID_CELL_WAITING);
  /* The period mark is no current mark: the average stays what the marks give (000 §7.1). */
  g_assert_cmpstr (grid_cell (typed_row, average_column).text, ==, average_before);

  /* A key that is no mark of the school's scale: refused at once with the policy's reason,
   * nothing written (002 §5.2). */
  ops = copy_int ("SELECT count (*) FROM outbox", NULL, NULL);
  type (typed_row + 1, period_column, "7");
  expected_toast = g_strdup_printf (_("“%s” is not a mark of this school's scale"), "7");
  wait_for (toast_shown, "the refusal of «7»");
  g_assert_cmpint (copy_int ("SELECT count (*) FROM outbox", NULL, NULL), ==, ops);

  /* «Расч.» is the suggestion the average makes; the teacher sets the mark (000 §7.1): the column
   * is calculated and refuses typing. */
  type (typed_row, suggested_column, "5");
  g_assert_cmpstr (_zh_window_get_last_toast (window), ==,
                   _("This column is calculated from the marks and cannot be typed in; put the "
                     "period mark in its own column."));
  g_assert_cmpint (copy_int ("SELECT count (*) FROM outbox", NULL, NULL), ==, ops);
  g_assert_cmpstr (_zh_window_get_page (window)->rows[typed_row].period_mark, ==, "4");

  /* The year page: «Год» takes the year mark (000 §7), its cell reads the outbox by its own key. */
  g_assert_true (zh_window_select_page (window, group_id, "year"));
  wait_for (year_page_shown, "the year page");
  year_column = summary_column (ZH_JOURNAL_SUMMARY_YEAR);
  /* The year page lists everyone in the group this year: the student's row may differ. */
  year_row = zh_journal_page_find_row (_zh_window_get_page (window), student_id);
  g_assert_cmpint (year_row, >=, 0);
  g_assert_null (grid_cell (year_row, year_column).text);
  type (year_row, year_column, "5");
  wait_for (year_mark_shown, "the year mark on the page read again");
  g_free (value);
  value = copy_text ("SELECT value FROM period_mark WHERE student_id = ?1 AND group_id = ?2 "
                     "AND kind = 'year' AND period_id IS NULL", student_id, group_id);
  g_assert_cmpstr (value, ==, "5");
  g_assert_cmpstr (grid_cell (year_row, year_column).text, ==, "5");
  g_assert_true (grid_cell (year_row, year_column).flags & ZH_GRID_CELL_WAITING);
  g_assert_cmpint (copy_int ("SELECT count (*) FROM outbox WHERE entity = 'period_mark'", NULL,
                             NULL), ==, 2);
  /* … and the quarter's own column there shows the quarter mark typed before, waiting too. */
  {
    ZhJournalModel *model = ZH_JOURNAL_MODEL (zh_grid_get_model (_zh_window_get_grid (window)));
    ZhJournalPage *year = _zh_window_get_page (window);
    guint term_column = G_MAXUINT;

    for (guint c = 0; c < zh_journal_model_get_n_summaries (model); c++)
      {
        guint term = 0;

        if (zh_journal_model_get_summary (model, c, &term) == ZH_JOURNAL_SUMMARY_TERM &&
            g_strcmp0 (year->periods[term].id, period_id) == 0)
          term_column = year->n_lessons + c;
      }
    g_assert_cmpuint (term_column, !=, G_MAXUINT);
    g_assert_cmpstr (grid_cell (year_row, term_column).text, ==, "4");
    g_assert_true (grid_cell (year_row, term_column).flags & ZH_GRID_CELL_WAITING);
  }

  g_clear_pointer (&expected_toast, g_free);
  typed_student = NULL;
  done = TRUE;
  g_application_quit (G_APPLICATION (app));
  return G_SOURCE_REMOVE;
}

static void
test_type_period_mark (void)
{
  char *argv[] = { (char *) "zhurnal", NULL };

  app = zh_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_timeout_add (20, run_script, NULL);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, argv), ==, 0);
  g_assert_true (done);
  g_clear_object (&app);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *home = zh_test_tmpdir_new ();
  g_autofree char *data = g_build_filename (home, "data", NULL);
  g_autofree char *config = g_build_filename (home, "config", NULL);
  int status;

  g_setenv ("LANGUAGE", "ru", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_unsetenv ("ZH_SERVER_URL");
  /* A session bus that leads nowhere: no keyring answers (nor prompts), the kept token goes to
   * its 0600 file (docs/sync.md "Accounts"), and GApplication runs without the bus. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent", TRUE);
  /* Before anything asks GLib for the user's folders (it keeps the first answer). */
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  zh_i18n_init ();
  gtk_test_init (&argc, &argv, NULL);
  make_account ();

  g_test_add_func ("/period-marks-window/teacher/type-in-summary-columns", test_type_period_mark);

  status = g_test_run ();
  g_free (copy_path);
  g_free (group_id);
  g_free (period_id);
  zh_test_tmpdir_free (g_steal_pointer (&home));
  return status;
}
