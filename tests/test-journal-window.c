/* test-journal-window: the real application under Xvfb, opened on a generated demo school with
 * `--database FILE --login LOGIN` (issue 6 §2, §3, §5): the deputy's pages by class, a page on the
 * grid equal to SQL and to the policy's sums, the lessons page with «не задано» and deadline
 * statuses, a teacher's own pages, the search, the page keys, and the last page restored at the
 * next start. Screenshots of the journal and lessons pages land in BUILD/tests/ (journal.png,
 * lessons.png) for people to look at. */
#define G_LOG_DOMAIN "test-journal-window"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "zh-application.h"
#include "zh-demo.h"
#include "zh-entity-sql.h"
#include "zh-grid-private.h"
#include "zh-journal-model.h"
#include "zh-lesson-item.h"
#include "zh-lessons-page-private.h"
#include "zh-page-item.h"
#include "zh-test-utils.h"
#include "zh-version.h"
#include "zh-window-private.h"

#define TODAY "2026-11-23"

static char *tmpdir;
static char *db_path;
static sqlite3 *db;

typedef struct _Run Run;
typedef void (*Script) (Run *run);

struct _Run
{
  ZhApplication *app;
  ZhWindow      *window;
  Script         script;
  guint          shown;    /* page-shown emissions */
  gboolean       done;
};

/* ---- driving the application --------------------------------------------------------------- */

/* Runs the main loop until @done says so; fails the test after ten seconds. */
static void
wait_until (gboolean (*done) (Run *run),
            Run       *run,
            const char *what)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!done (run))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
window_ready (Run *run)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (run->app));

  if (window == NULL || !gtk_widget_get_mapped (GTK_WIDGET (window)))
    return FALSE;
  run->window = ZH_WINDOW (window);
  return TRUE;
}

static guint expected_shown;

static gboolean
page_shown (Run *run)
{
  return run->shown >= expected_shown;
}

/* Waits for the next page to be shown on the grid and painted. */
static void
wait_page (Run *run)
{
  ZhGridStats before, now;
  ZhGrid *grid;
  gint64 deadline;

  expected_shown = run->shown + 1;
  wait_until (page_shown, run, "a page to be shown");
  grid = _zh_window_get_grid (run->window);
  _zh_grid_get_stats (grid, &before);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  do
    {
      zh_test_spin (5);
      _zh_grid_get_stats (grid, &now);
    }
  while (now.n_snapshots == before.n_snapshots && g_get_monotonic_time () < deadline &&
         gtk_widget_get_mapped (GTK_WIDGET (grid)));
}

static void
page_shown_cb (ZhWindow *window,
               Run      *run)
{
  run->shown++;
}

static gboolean
run_script (gpointer data)
{
  Run *run = data;

  wait_until (window_ready, run, "the window");
  g_signal_connect (run->window, "page-shown", G_CALLBACK (page_shown_cb), run);
  /* The first page (the last one shown, or the account's first) comes by itself. */
  wait_page (run);
  run->script (run);
  run->done = TRUE;
  g_application_quit (G_APPLICATION (run->app));
  return G_SOURCE_REMOVE;
}

static void
run_app (const char *login,
         Script      script)
{
  Run run = { 0 };
  char *argv[] = { (char *) "zhurnal", (char *) "--database", db_path, (char *) "--login",
                   (char *) login, NULL };

  run.app = zh_application_new ();
  run.script = script;
  g_application_set_flags (G_APPLICATION (run.app), G_APPLICATION_NON_UNIQUE);
  g_timeout_add (20, run_script, &run);
  g_assert_cmpint (g_application_run (G_APPLICATION (run.app), G_N_ELEMENTS (argv) - 1, argv), ==,
                   0);
  g_assert_true (run.done);
  g_object_unref (run.app);
}

/* Render @widget into a PNG the way a person would see it (FACTS.md "Screenshots"). */
static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = zh_test_build_path ("tests", name, NULL);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* ---- SQL ------------------------------------------------------------------------------------ */

static char *
query_text (const char *sql,
            const char *a,
            const char *b)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  if (a != NULL)
    sqlite3_bind_text (stmt, 1, a, -1, SQLITE_STATIC);
  if (b != NULL)
    sqlite3_bind_text (stmt, 2, b, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

static gint64
query_int (const char *sql,
           const char *a,
           const char *b)
{
  g_autofree char *text = query_text (sql, a, b);

  g_assert_nonnull (text);
  return g_ascii_strtoll (text, NULL, 10);
}

/* The group of this year with most students × lessons: the fullest page. */
static char *
fullest_group (void)
{
  return query_text ("SELECT g.id FROM study_group g JOIN class c ON c.id = g.class_id "
                     "WHERE c.year_id = (SELECT id FROM academic_year ORDER BY starts DESC LIMIT "
                     "1) "
                     "AND c.grade >= 5 ORDER BY "
                     "(SELECT count(*) FROM lesson l WHERE l.group_id = g.id) * "
                     "(SELECT count(DISTINCT student_id) FROM group_member m WHERE m.group_id = "
                     "g.id) "
                     "DESC, g.id LIMIT 1", NULL, NULL);
}

/* The first quarter of this year: over, its period marks given. */
static char *
first_quarter (void)
{
  return query_text ("SELECT id FROM period WHERE kind = 'quarter' AND number = 1 AND year_id = "
                     "(SELECT id FROM academic_year ORDER BY starts DESC LIMIT 1)", NULL, NULL);
}

/* ---- the deputy ----------------------------------------------------------------------------- */

static char *chosen_group;

static const char *
cell_text (ZhGridModel *model,
           guint        row,
           guint        column)
{
  ZhGridCell cell = { 0 };

  zh_grid_model_get_cell (model, row, column, &cell);
  return cell.text != NULL ? cell.text : "";
}

/* The page on the grid equals SQL: its students in paper order with their membership, its lessons,
 * and each row's count, weighted average and suggested mark are the policy's over the student's
 * marks read as entity rows. */
static void
check_grid_page (Run *run)
{
  ZhGrid *grid = _zh_window_get_grid (run->window);
  ZhGridModel *model = zh_grid_get_model (grid);
  ZhJournalPage *page = _zh_window_get_page (run->window);
  g_autofree char *select = zh_entity_sql_select (&zh_mark_info);
  g_autofree char *marks_sql = g_strdup_printf ("%s WHERE state = 'active' AND student_id = ?1 AND "
                                                "lesson_id IN (SELECT id FROM lesson WHERE "
                                                "group_id = ?2 "
                                                "AND date BETWEEN ?3 AND ?4)", select);
  sqlite3_stmt *students = NULL, *marks = NULL;
  guint n_lessons, n_rows = 0, doubles = 0, codes = 0;
  int count_column = -1, average_column = -1, suggested_column = -1;

  g_assert_true (ZH_IS_JOURNAL_MODEL (model));
  g_assert_true (zh_journal_model_get_page (ZH_JOURNAL_MODEL (model)) == page);
  g_assert_cmpstr (page->info.group_id, ==, chosen_group);
  n_lessons = query_int ("SELECT count(*) FROM lesson WHERE group_id = ?1 AND date BETWEEN "
                         "(SELECT starts FROM period WHERE id = ?2) AND (SELECT ends FROM period "
                         "WHERE id = ?2)",
                         chosen_group, page->period.id);
  g_assert_cmpuint (page->n_lessons, ==, n_lessons);
  g_assert_cmpuint (zh_grid_model_get_n_columns (model), ==,
                    n_lessons + zh_journal_model_get_n_summaries (ZH_JOURNAL_MODEL (model)));
  for (guint s = 0; s < zh_journal_model_get_n_summaries (ZH_JOURNAL_MODEL (model)); s++)
    switch (zh_journal_model_get_summary (ZH_JOURNAL_MODEL (model), s, NULL))
      {
      case ZH_JOURNAL_SUMMARY_COUNT: count_column = n_lessons + s; break;
      case ZH_JOURNAL_SUMMARY_AVERAGE: average_column = n_lessons + s; break;
      case ZH_JOURNAL_SUMMARY_SUGGESTED: suggested_column = n_lessons + s; break;
      default: break;
      }
  g_assert_cmpint (count_column, >=, 0);
  g_assert_cmpint (average_column, >=, 0);
  g_assert_cmpint (suggested_column, >=, 0);

  /* Rows: the students in the group at any time of the period, surname and name, Ё as Е. */
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT DISTINCT s.id, s.last_name || ' ' || "
                                           "s.first_name, "
                                           "replace (replace (s.last_name, 'Ё', 'Е'), 'ё', 'е') "
                                           "AS l, "
                                           "replace (replace (s.first_name, 'Ё', 'Е'), 'ё', 'е') "
                                           "AS f "
                                           "FROM group_member m JOIN student s ON s.id = "
                                           "m.student_id "
                                           "WHERE m.group_id = ?1 AND m.date_from <= ?3 "
                                           "AND (m.date_to IS NULL OR m.date_to >= ?2) "
                                           "ORDER BY l, f, replace (replace (s.middle_name, 'Ё', "
                                           "'Е'), "
                                           "'ё', 'е'), s.id",
                                       -1, &students, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (students, 1, chosen_group, -1, SQLITE_STATIC);
  sqlite3_bind_text (students, 2, page->period.starts, -1, SQLITE_STATIC);
  sqlite3_bind_text (students, 3, page->period.ends, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_prepare_v2 (db, marks_sql, -1, &marks, NULL), ==, SQLITE_OK);
  while (sqlite3_step (students) == SQLITE_ROW)
    {
      g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) zh_mark_free);
      g_autofree char *count = NULL;
      ZhGridRow row = { 0 };
      double average;

      zh_grid_model_get_row (model, n_rows, &row);
      g_assert_cmpstr (row.title, ==, (const char *) sqlite3_column_text (students, 1));
      g_assert_cmpuint (row.number, ==, n_rows + 1);

      sqlite3_reset (marks);
      sqlite3_bind_text (marks, 1, (const char *) sqlite3_column_text (students, 0), -1,
                         SQLITE_TRANSIENT);
      sqlite3_bind_text (marks, 2, chosen_group, -1, SQLITE_STATIC);
      sqlite3_bind_text (marks, 3, page->period.starts, -1, SQLITE_STATIC);
      sqlite3_bind_text (marks, 4, page->period.ends, -1, SQLITE_STATIC);
      while (sqlite3_step (marks) == SQLITE_ROW)
        {
          g_autoptr(GError) error = NULL;

          g_ptr_array_add (rows, zh_entity_from_stmt (&zh_mark_info, marks, 0, &error));
          g_assert_no_error (error);
        }
      count = rows->len > 0 ? g_strdup_printf ("%u", rows->len) : g_strdup ("");
      g_assert_cmpstr (cell_text (model, n_rows, count_column), ==, count);
      /* DESIGN §5: Σ(value × weight) / Σ weight, shown as «4,13»; the suggestion by the school's
       * rounding (REQUIREMENTS §5). */
      if (zh_policy_weighted_average (page->policy, (ZhMark **) rows->pdata, rows->len, &average,
                                      NULL))
        {
          g_autofree char *text = zh_journal_format_average (average);

          g_assert_cmpstr (cell_text (model, n_rows, average_column), ==, text);
          g_assert_cmpstr (cell_text (model, n_rows, suggested_column), ==,
                           zh_policy_suggest_period_mark (page->policy, average));
        }
      else
        g_assert_cmpstr (cell_text (model, n_rows, average_column), ==, "");
      n_rows++;
    }
  sqlite3_finalize (students);
  sqlite3_finalize (marks);
  g_assert_cmpuint (zh_grid_model_get_n_rows (model), ==, n_rows);
  g_assert_cmpuint (n_rows, >=, 20);

  /* Double marks (002 §5.2) read «4/5». */
  for (guint r = 0; r < page->n_rows; r++)
    for (guint c = 0; c < page->n_lessons; c++)
      {
        const ZhJournalCell *cell = zh_journal_page_get_cell (page, r, c);
        const ZhJournalMark *m = zh_journal_page_get_marks (page, cell);

        if (cell->n_marks == 2 && m[0].part == 1 && m[1].part == 2 &&
            !(cell->flags & ZH_JOURNAL_CELL_ATTENDANCE))
          {
            g_autofree char *expected = g_strdup_printf ("%s/%s", m[0].value, m[1].value);

            g_assert_cmpstr (cell_text (model, r, c), ==, expected);
            doubles++;
          }
      }
  g_test_message ("%s: %u students, %u lessons, %u double marks", page->info.label, n_rows,
                  n_lessons, doubles);

  /* Attendance codes (002 §5.3) are codes, drawn apart from marks («б» must not read as «6»);
   * a cell of marks alone is not. */
  for (guint r = 0; r < page->n_rows; r++)
    for (guint c = 0; c < page->n_lessons; c++)
      {
        const ZhJournalCell *cell = zh_journal_page_get_cell (page, r, c);
        ZhGridCell grid_cell;

        zh_grid_model_get_cell (model, r, c, &grid_cell);
        g_assert_cmpint (!!(grid_cell.flags & ZH_GRID_CELL_CODE), ==,
                         !!(cell->flags & ZH_JOURNAL_CELL_ATTENDANCE));
        codes += (cell->flags & ZH_JOURNAL_CELL_ATTENDANCE) != 0;
      }
  g_assert_cmpuint (codes, >, 0);
}

/* The words of a status in the language the test runs in (Russian once po/ru.po has them). */
static const char *
status_words (ZhDeadlineStatus status)
{
  switch (status)
    {
    case ZH_DEADLINE_ON_TIME: return C_("deadline status", "on time");
    case ZH_DEADLINE_LATE: return C_("deadline status", "late");
    case ZH_DEADLINE_MISSING: return C_("deadline status", "missing");
    case ZH_DEADLINE_NOT_DUE: return C_("deadline status", "not due yet");
    default: g_assert_not_reached ();
    }
}

/* The lessons page lists the page's lessons; an empty homework reads «не задано» (002 §5.2); the
 * statuses of topic and homework entries are the policy's deadline rules (REQUIREMENTS §3). */
static void
check_lessons (Run *run)
{
  ZhJournalPage *page = _zh_window_get_page (run->window);
  GListModel *lessons = _zh_lessons_page_get_lessons (_zh_window_get_lessons_page (run->window));
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  sqlite3_stmt *stmt = NULL;
  guint i = 0, not_set = 0, late = 0, missing = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT id, date, number, homework, topic_entered_at, "
                                           "homework_entered_at FROM lesson WHERE group_id = ?1 "
                                           "AND date BETWEEN ?2 AND ?3 ORDER BY date, number",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, page->info.group_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, page->period.starts, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, page->period.ends, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(ZhLessonItem) item = g_list_model_get_item (lessons, i);
      const ZhJournalLesson *lesson;
      const char *date = (const char *) sqlite3_column_text (stmt, 1);
      int number = sqlite3_column_int (stmt, 2);
      const char *homework = (const char *) sqlite3_column_text (stmt, 3);
      ZhDeadlineStatus topic_status, homework_status;
      g_autofree char *homework_text = NULL;
      g_autofree char *topic_text = NULL;
      g_autofree char *homework_status_text = NULL;

      g_assert_nonnull (item);
      lesson = zh_lesson_item_get_lesson (item);
      g_assert_cmpstr (lesson->id, ==, (const char *) sqlite3_column_text (stmt, 0));
      homework_text = _zh_lessons_page_text (page, lesson, ZH_LESSONS_COLUMN_HOMEWORK, now);
      g_assert_cmpstr (homework_text, ==, homework[0] != '\0' ? homework : _("not set"));
      not_set += homework[0] == '\0';

      topic_status = zh_policy_deadline_status (page->policy, ZH_RECORD_TOPIC, date, number,
                                                sqlite3_column_int64 (stmt, 4), now);
      homework_status = zh_policy_deadline_status (page->policy, ZH_RECORD_HOMEWORK, date, number,
                                                   sqlite3_column_int64 (stmt, 5), now);
      topic_text = _zh_lessons_page_text (page, lesson, ZH_LESSONS_COLUMN_TOPIC_STATUS, now);
      homework_status_text = _zh_lessons_page_text (page, lesson,
                                                  ZH_LESSONS_COLUMN_HOMEWORK_STATUS, now);
      g_assert_cmpstr (topic_text, ==, status_words (topic_status));
      g_assert_cmpstr (homework_status_text, ==, status_words (homework_status));
      late += topic_status == ZH_DEADLINE_LATE;
      missing += homework_status == ZH_DEADLINE_MISSING;
      i++;
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (g_list_model_get_n_items (lessons), ==, i);
  g_test_message ("lessons: %u, homework not set: %u, topics late: %u, homework missing: %u",
                  i, not_set, late, missing);
  g_assert_cmpuint (not_set, >, 0);
}

static void
deputy_script (Run *run)
{
  GListModel *pages = _zh_window_get_pages (run->window);
  g_autofree char *quarter = first_quarter ();
  g_autoptr(ZhPageItem) first = g_list_model_get_item (pages, 0);
  guint headers = 0, n_pages = 0;

  /* The deputy sees every group of the year, under class captions (issue 6 §2). */
  for (guint i = 0; i < g_list_model_get_n_items (pages); i++)
    {
      g_autoptr(ZhPageItem) item = g_list_model_get_item (pages, i);

      if (zh_page_item_is_header (item))
        headers++;
      else
        n_pages++;
    }
  g_assert_true (zh_page_item_is_header (first));
  g_assert_cmpint (headers, ==, query_int ("SELECT count(*) FROM class WHERE year_id = "
                                           "(SELECT id FROM academic_year ORDER BY starts DESC "
                                           "LIMIT 1)",
                                           NULL, NULL));
  g_assert_cmpint (n_pages, ==, query_int ("SELECT count(*) FROM study_group g JOIN class c ON "
                                           "c.id = g.class_id WHERE c.year_id = (SELECT id FROM "
                                           "academic_year ORDER BY starts DESC LIMIT 1)",
                                           NULL, NULL));

  /* Choose the fullest page in the first quarter. */
  g_assert_true (zh_window_select_page (run->window, chosen_group, quarter));
  wait_page (run);
  g_assert_cmpstr (_zh_window_get_page (run->window)->period.id, ==, quarter);
  check_grid_page (run);
  check_lessons (run);
  zh_test_spin (200);
  save_screenshot (GTK_WIDGET (run->window), "journal.png");

  /* Alt+2's action shows the lessons. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (run->window), "win.show-lessons", NULL));
  zh_test_spin (300);
  save_screenshot (GTK_WIDGET (run->window), "lessons.png");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (run->window), "win.show-journal", NULL));

  /* The search keeps the pages of the class and its caption. */
  _zh_window_set_search (run->window, "5а");
  g_assert_cmpuint (g_list_model_get_n_items (pages), ==,
                    1 + query_int ("SELECT count(*) FROM study_group g JOIN class c ON c.id = "
                                   "g.class_id "
                                   "WHERE c.grade = 5 AND c.letter = 'А' AND c.year_id = (SELECT "
                                   "id FROM "
                                   "academic_year ORDER BY starts DESC LIMIT 1)", NULL, NULL));
  _zh_window_set_search (run->window, "");

  /* Ctrl+Page Down's action goes to the next page. */
  g_assert_nonnull (gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (pages)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (run->window), "win.next-page", NULL));
  wait_page (run);
  g_assert_cmpstr (_zh_window_get_page (run->window)->info.group_id, !=, chosen_group);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (run->window), "win.previous-page", NULL));
  wait_page (run);
  g_assert_cmpstr (_zh_window_get_page (run->window)->info.group_id, ==, chosen_group);
}

static void
test_deputy (void)
{
  chosen_group = fullest_group ();
  run_app ("deputy", deputy_script);
}

/* ---- the teacher ---------------------------------------------------------------------------- */

static void
teacher_script (Run *run)
{
  GListModel *pages = _zh_window_get_pages (run->window);
  g_autofree char *staff = query_text ("SELECT id FROM staff WHERE login = 'teacher'", NULL, NULL);
  g_autofree char *other = query_text ("SELECT g.id FROM study_group g JOIN class c ON c.id = "
                                       "g.class_id "
                                       "WHERE g.teacher_id != ?1 AND (c.class_teacher_id IS NULL "
                                       "OR "
                                       "c.class_teacher_id != ?1) LIMIT 1", staff, NULL);
  guint n = g_list_model_get_n_items (pages);

  /* Issue 6 §2: the groups they teach and those of their class (002 §5.3), nothing else; labels
   * name the class: «7Б — Информатика, 1 подгруппа». */
  g_assert_cmpint (n, ==, query_int ("SELECT count(*) FROM study_group g JOIN class c ON c.id = "
                                     "g.class_id "
                                     "WHERE c.year_id = (SELECT id FROM academic_year ORDER BY "
                                     "starts "
                                     "DESC LIMIT 1) AND (g.teacher_id = ?1 OR c.class_teacher_id "
                                     "= ?1)",
                                     staff, NULL));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ZhPageItem) item = g_list_model_get_item (pages, i);
      const ZhJournalPageInfo *info;

      g_assert_false (zh_page_item_is_header (item));
      info = zh_page_item_get_info (item);
      g_assert_true (g_strcmp0 (info->teacher_id, staff) == 0 ||
                     query_int ("SELECT count(*) FROM class WHERE id = ?1 AND class_teacher_id = "
                                "?2",
                                info->class_id, staff) == 1);
      g_assert_true (g_str_has_prefix (zh_page_item_get_title (item), info->class_name));
      if (info->subgroup > 0)
        g_assert_nonnull (strstr (zh_page_item_get_title (item), info->subject_name));
    }
  /* A page of someone else's class is not there to choose. */
  g_assert_nonnull (other);
  g_assert_false (zh_window_select_page (run->window, other, NULL));
}

static void
test_teacher (void)
{
  run_app ("teacher", teacher_script);
}

/* ---- the last page --------------------------------------------------------------------------- */

static char *restored_group;

static void
choose_year_script (Run *run)
{
  g_autofree char *group = query_text ("SELECT g.id FROM study_group g JOIN class c ON "
                                       "c.id = g.class_id WHERE c.grade = 9 AND c.year_id = "
                                       "(SELECT id FROM academic_year ORDER BY starts DESC "
                                       "LIMIT 1) ORDER BY g.id LIMIT 1", NULL, NULL);

  g_assert_true (zh_window_select_page (run->window, group, "year"));
  wait_page (run);
  g_assert_null (_zh_window_get_page (run->window)->period.id);
  g_assert_true (_zh_window_get_page (run->window)->has_exam);
  restored_group = g_steal_pointer (&group);
}

static void
restored_script (Run *run)
{
  ZhJournalPage *page = _zh_window_get_page (run->window);

  /* Issue 6 §2: the window remembers the last page (GSettings). */
  g_assert_cmpstr (page->info.group_id, ==, restored_group);
  g_assert_cmpstr (_zh_window_get_period_key (run->window), ==, "year");
  g_assert_null (page->period.id);
}

static void
test_restore_last_page (void)
{
  run_app ("deputy", choose_year_script);
  run_app ("deputy", restored_script);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  ZhDemoOptions options = { 0.25, 1, TODAY };
  int status;

  g_setenv ("LANGUAGE", "ru", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  zh_i18n_init ();
  gtk_test_init (&argc, &argv, NULL);

  tmpdir = zh_test_tmpdir_new ();
  db_path = g_build_filename (tmpdir, "demo.sqlite", NULL);
  {
    g_autoptr(ZhStore) store = zh_store_open (db_path, ZH_STORE_FLAGS_BULK_LOAD, &error);

    g_assert_no_error (error);
    g_assert_true (zh_demo_generate (store, &options, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);

  g_test_add_func ("/journal-window/deputy/page-and-lessons", test_deputy);
  g_test_add_func ("/journal-window/teacher/own-pages", test_teacher);
  g_test_add_func ("/journal-window/settings/last-page", test_restore_last_page);

  status = g_test_run ();
  sqlite3_close (db);
  g_free (chosen_group);
  g_free (restored_group);
  g_free (db_path);
  zh_test_tmpdir_free (tmpdir);
  return status;
}
