/* test-lessons-page: the real application under Xvfb, signed in offline as the demo school's
 * teacher on an offline copy made of the demo school (the service's address answers nothing), so
 * every edit waits in the outbox (issue 6 §5): a topic and homework edited on the «Уроки» page
 * land in the copy with their outbox operation and survive reopening the copy; the topic's
 * completion offers the plan's (КТП) next topic, and taking it links the lesson to its plan item;
 * an edit past the edit window is refused with the policy's reason and changes nothing; a row the
 * service refused gives the service's reason; a lesson is added for a free date of the timetable, and a
 * date that has its lesson is not offered. The page in editing state is saved as
 * BUILD/tests/lessons-edit.png. Entries are driven through their "activate" signal and the page's
 * actions, as Enter and Escape reach them (GTK 4 has no in-process key synthesis, FACTS.md). */
#define G_LOG_DOMAIN "test-lessons-page"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n.h>
#include <sqlite3.h>

#include "zh-account.h"
#include "zh-application.h"
#include "zh-demo.h"
#include "zh-entity-sql.h"
#include "zh-grid-private.h"
#include "zh-lesson-item.h"
#include "zh-lessons-page-private.h"
#include "zh-test-utils.h"
#include "zh-version.h"
#include "zh-window-private.h"


/* Nothing listens here: the session opens offline with the kept token (issue 6 §1). */
#define SERVER_URL "http://127.0.0.1:9"

static char *home;
static char *copy_path;
static char *today;            /* the school's date today, YYYY-MM-DD */
static char *group_id;         /* the teacher's group whose page the tests use */
static char *edited_id;        /* the lesson whose topic and homework the first test saved */
static char *edited_topic;
static char *edited_homework;
static char *removed_date;     /* the free date of the timetable the fixture made */
static int removed_number;
static ZhApplication *app;
static ZhWindow *window;
static guint shown;

typedef void (*Script) (void);

/* ---- driving the application ---------------------------------------------------------------- */

static void
wait_for (gboolean  (*check) (void),
          const char *what)
{
  zh_test_wait_for (check, what, 30);
}

static gboolean
journal_shown (void)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (active == NULL || !gtk_widget_get_mapped (GTK_WIDGET (active)))
    return FALSE;
  window = ZH_WINDOW (active);
  return g_strcmp0 (_zh_window_get_main_page (window), "journal") == 0 &&
         _zh_window_get_page (window) != NULL;
}

static guint expected_shown;

static gboolean
page_shown (void)
{
  return shown >= expected_shown;
}

static void
page_shown_cb (void)
{
  shown++;
}

static ZhLessonsPage *
lessons_page (void)
{
  return _zh_window_get_lessons_page (window);
}

static gboolean
page_idle (void)
{
  return !_zh_lessons_page_is_busy (lessons_page ());
}

static gboolean
editing (void)
{
  return _zh_lessons_page_is_editing (lessons_page ()) && page_idle ();
}

static gboolean
dialog_shown (void)
{
  return _zh_lessons_page_get_dialog (lessons_page ()) != NULL;
}

static Script current_script;
static gboolean script_done;

static gboolean
run_script_cb (gpointer data)
{
  wait_for (journal_shown, "the journal of the offline copy");
  g_signal_connect_swapped (window, "page-shown", G_CALLBACK (page_shown_cb), NULL);
  if (!g_str_equal (_zh_window_get_page (window)->info.group_id, group_id))
    {
      expected_shown = shown + 1;
      g_assert_true (zh_window_select_page (window, group_id, NULL));
      wait_for (page_shown, "the page of the teacher's group");
    }
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-lessons", NULL);
  zh_test_spin (200);
  current_script ();
  script_done = TRUE;
  g_application_quit (G_APPLICATION (app));
  return G_SOURCE_REMOVE;
}

/* Starts the application with no arguments: it opens the current account offline. */
static void
run_app (Script script)
{
  char *argv[] = { (char *) "zhurnal", NULL };

  app = zh_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  current_script = script;
  script_done = FALSE;
  shown = 0;
  g_timeout_add (20, run_script_cb, NULL);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, argv), ==, 0);
  g_assert_true (script_done);
  g_clear_object (&app);
  window = NULL;
}

/* Shows the page's whole year, where lessons older than the edit window are. */
static void
show_year (void)
{
  ZhJournalPage *page = _zh_window_get_page (window);

  if (page->period.id == NULL)
    return;
  expected_shown = shown + 1;
  g_assert_true (zh_window_select_page (window, page->info.group_id, "year"));
  wait_for (page_shown, "the year page");
  zh_test_spin (100);
}

/* Waits for the page to be read again after an edit. */
static void
wait_reload (void)
{
  wait_for (page_shown, "the page read again");
  zh_test_spin (100);
}

/* The position of @lesson_id on the lessons page, or -1. */
static int
find_row (const char *lesson_id)
{
  GListModel *rows = _zh_lessons_page_get_lessons (lessons_page ());

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(ZhLessonItem) item = g_list_model_get_item (rows, i);

      if (g_str_equal (zh_lesson_item_get_lesson (item)->id, lesson_id))
        return (int) i;
    }
  return -1;
}

static const ZhJournalLesson *
row_lesson (int position)
{
  g_autoptr(ZhLessonItem) item = g_list_model_get_item (_zh_lessons_page_get_lessons (lessons_page ()),
                                                        position);

  return zh_lesson_item_get_lesson (item);
}

/* Render the window the way a person sees it (FACTS.md "Screenshots"). */
static void
save_screenshot (const char *name)
{
  GtkWidget *widget = GTK_WIDGET (window);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = zh_test_build_path ("tests", name, NULL);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  zh_test_spin (300);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* ---- the copy, read beside the app -------------------------------------------------------------- */

static char *
copy_text (const char *sql,
           const char *arg)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  g_assert_cmpint (sqlite3_open_v2 (copy_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (arg != NULL)
    sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return text;
}

static gint64
copy_int (const char *sql,
          const char *arg)
{
  g_autofree char *text = copy_text (sql, arg);

  return text != NULL ? g_ascii_strtoll (text, NULL, 10) : -1;
}

static void
copy_exec (const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (copy_path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

/* ---- the tests -------------------------------------------------------------------------------- */

/* 001 §5.4–5.5, 002 §5.2: the teacher writes the topic and the homework of a lesson of the last
 * days on the page; both land in the copy in one go with their outbox operation, the row shows
 * it waiting to be sent, and the deadline statuses are worked out again from the new times of
 * entry (000 §3.5.2, §4.2.2: entered after the day, so late). */
static void
edit_script (void)
{
  ZhJournalPage *page = _zh_window_get_page (window);
  g_autofree char *week_ago = NULL;
  g_autofree char *saved_topic = NULL;
  g_autofree char *saved_homework = NULL;
  GDate date;
  int position = -1;
  gint64 now;

  g_date_clear (&date, 1);
  g_date_set_parse (&date, today);
  g_date_subtract_days (&date, 7);
  week_ago = g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (&date), g_date_get_month (&date),
                              g_date_get_day (&date));
  /* A lesson of the last week before today with homework given: changing it stays allowed in
   * the edit window whatever the hour (002 §5.2 forbids only adding homework afterwards). */
  for (guint i = 0; i < page->n_lessons; i++)
    if (strcmp (page->lessons[i].date, week_ago) >= 0 && strcmp (page->lessons[i].date, today) < 0 &&
        page->lessons[i].homework[0] != '\0' && page->lessons[i].topic[0] != '\0')
      position = find_row (page->lessons[i].id);
  g_assert_cmpint (position, >=, 0);
  edited_id = g_strdup (row_lesson (position)->id);

  _zh_lessons_page_edit (lessons_page (), position);
  wait_for (editing, "the row to be edited");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (_zh_lessons_page_get_topic_entry (lessons_page ()))),
                   ==, row_lesson (position)->topic);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (_zh_lessons_page_get_homework_entry (lessons_page ()))),
                   ==, row_lesson (position)->homework);

  edited_topic = g_strdup ("Повторение: сложноподчинённые предложения");
  edited_homework = g_strdup ("§ 12, упражнение 5");
  gtk_editable_set_text (GTK_EDITABLE (_zh_lessons_page_get_topic_entry (lessons_page ())),
                         edited_topic);
  gtk_editable_set_text (GTK_EDITABLE (_zh_lessons_page_get_homework_entry (lessons_page ())),
                         edited_homework);
  expected_shown = shown + 1;
  g_signal_emit_by_name (_zh_lessons_page_get_homework_entry (lessons_page ()), "activate");
  wait_for (page_idle, "the save");
  g_assert_null (_zh_lessons_page_get_last_toast (lessons_page ()));
  g_assert_false (_zh_lessons_page_is_editing (lessons_page ()));
  wait_reload ();

  saved_topic = copy_text ("SELECT topic FROM lesson WHERE id = ?1", edited_id);
  saved_homework = copy_text ("SELECT homework FROM lesson WHERE id = ?1", edited_id);
  g_assert_cmpstr (saved_topic, ==, edited_topic);
  g_assert_cmpstr (saved_homework, ==, edited_homework);
  g_assert_cmpint (copy_int ("SELECT count (*) FROM outbox WHERE entity = 'lesson' "
                             "AND entity_id = ?1 AND state = 'pending'", edited_id), >=, 1);
  g_assert_cmpstr (_zh_lessons_page_get_state (lessons_page (), edited_id), ==, "waiting");

  /* The page read again shows the texts, and the statuses from the new times of entry. */
  position = find_row (edited_id);
  g_assert_cmpint (position, >=, 0);
  g_assert_cmpstr (row_lesson (position)->topic, ==, edited_topic);
  g_assert_cmpstr (row_lesson (position)->homework, ==, edited_homework);
  now = g_get_real_time () / G_USEC_PER_SEC;
  g_assert_cmpint (row_lesson (position)->topic_entered_at, >=, now - 60);
  g_assert_cmpint (_zh_lessons_page_status (_zh_window_get_page (window), row_lesson (position),
                                            ZH_RECORD_TOPIC, now), ==, ZH_DEADLINE_LATE);
  g_assert_cmpstr (_zh_lessons_page_status_class (ZH_DEADLINE_LATE), ==, "warning");
  g_assert_cmpstr (_zh_lessons_page_status_class (ZH_DEADLINE_MISSING), ==, "error");
  g_assert_cmpstr (_zh_lessons_page_status_class (ZH_DEADLINE_ON_TIME), ==, "success");
}

static void
test_edit_topic_and_homework (void)
{
  run_app (edit_script);
}

/* Reopening the copy: the saved texts are there, still waiting in the outbox. */
static void
reopen_script (void)
{
  int position = find_row (edited_id);

  g_assert_cmpint (position, >=, 0);
  g_assert_cmpstr (row_lesson (position)->topic, ==, edited_topic);
  g_assert_cmpstr (row_lesson (position)->homework, ==, edited_homework);
  g_assert_cmpstr (_zh_lessons_page_get_state (lessons_page (), edited_id), ==, "waiting");
}

static void
test_edit_survives_reopening (void)
{
  g_assert_nonnull (edited_id);
  run_app (reopen_script);
}

/* REQUIREMENTS §2 (000 §3.5.4, 004 §4.4.7: lesson topics follow the КТП): a lesson without a
 * topic starts with the plan's next topic not yet given, which the completion offers first;
 * Escape leaves the lesson as it was. */
static void
completion_script (void)
{
  ZhJournalPage *page = _zh_window_get_page (window);
  GtkTreeModel *completions = _zh_lessons_page_get_completions (lessons_page ());
  g_autofree char *next = NULL;
  g_autofree char *first = NULL;
  GtkTreeIter iter;
  int position = -1;

  /* The lesson the fixture left without a topic. */
  for (guint i = 0; i < page->n_lessons; i++)
    if (page->lessons[i].topic[0] == '\0' && strcmp (page->lessons[i].date, today) <= 0)
      position = find_row (page->lessons[i].id);
  g_assert_cmpint (position, >=, 0);
  next = copy_text ("SELECT p.topic FROM plan_item p WHERE p.group_id = ?1 AND "
                    "(SELECT count (*) FROM lesson l WHERE l.group_id = p.group_id AND "
                    "(l.plan_item_id = p.id OR l.topic = p.topic)) < p.hours "
                    "ORDER BY p.number LIMIT 1", page->info.group_id);
  g_assert_nonnull (next);

  _zh_lessons_page_edit (lessons_page (), position);
  wait_for (editing, "the row to be edited");
  g_assert_true (gtk_tree_model_get_iter_first (completions, &iter));
  gtk_tree_model_get (completions, &iter, 0, &first, -1);
  g_assert_cmpstr (first, ==, next);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (_zh_lessons_page_get_topic_entry (lessons_page ()))),
                   ==, next);
  g_assert_cmpint (gtk_tree_model_iter_n_children (completions, NULL), ==,
                   copy_int ("SELECT count (*) FROM plan_item WHERE group_id = ?1",
                             page->info.group_id));
  /* The editing state, for people to look at. */
  save_screenshot ("lessons-edit.png");

  gtk_widget_activate_action (GTK_WIDGET (lessons_page ()), "lessons.cancel-edit", NULL);
  zh_test_spin (50);
  g_assert_false (_zh_lessons_page_is_editing (lessons_page ()));
  g_assert_cmpint (copy_int ("SELECT count (*) FROM outbox WHERE entity_id = ?1",
                             row_lesson (position)->id), ==, 0);
  g_assert_cmpint (copy_int ("SELECT length (topic) FROM lesson WHERE id = ?1",
                             row_lesson (position)->id), ==, 0);
}

static void
test_completion_offers_plan_topic (void)
{
  run_app (completion_script);
}

/* REQUIREMENTS §2 (000 §3.5.4: topics follow the КТП) and §6 (003 §3, 000 §11.3: the hours given
 * against the plan): Enter on the plan's next topic, as the editor offers it, links the lesson to
 * that plan item in the copy and in the operation that waits for the service. */
static void
plan_topic_script (void)
{
  ZhJournalPage *page = _zh_window_get_page (window);
  g_autofree char *lesson_id = NULL;
  g_autofree char *topic = NULL;
  g_autofree char *plan_item_id = NULL;
  g_autofree char *sent = NULL;
  int position = -1;

  for (guint i = 0; i < page->n_lessons; i++)
    if (page->lessons[i].topic[0] == '\0' && strcmp (page->lessons[i].date, today) <= 0)
      position = find_row (page->lessons[i].id);
  g_assert_cmpint (position, >=, 0);
  lesson_id = g_strdup (row_lesson (position)->id);

  _zh_lessons_page_edit (lessons_page (), position);
  wait_for (editing, "the row to be edited");
  topic = g_strdup (gtk_editable_get_text (GTK_EDITABLE (_zh_lessons_page_get_topic_entry (lessons_page ()))));
  g_assert_cmpstr (topic, !=, "");
  expected_shown = shown + 1;
  g_signal_emit_by_name (_zh_lessons_page_get_topic_entry (lessons_page ()), "activate");
  wait_for (page_idle, "the save");
  g_assert_null (_zh_lessons_page_get_last_toast (lessons_page ()));
  wait_reload ();

  plan_item_id = copy_text ("SELECT plan_item_id FROM lesson WHERE id = ?1", lesson_id);
  g_assert_nonnull (plan_item_id);
  g_assert_cmpint (copy_int ("SELECT count (*) FROM lesson l JOIN plan_item p ON p.id = l.plan_item_id "
                             "WHERE l.id = ?1 AND p.group_id = l.group_id AND p.topic = l.topic",
                             lesson_id), ==, 1);
  sent = copy_text ("SELECT json_extract (value, '$.plan_item_id') FROM outbox WHERE entity = 'lesson' "
                    "AND entity_id = ?1 AND state = 'pending'", lesson_id);
  g_assert_cmpstr (sent, ==, plan_item_id);
}

static void
test_plan_topic_links_plan_item (void)
{
  run_app (plan_topic_script);
}

/* The lesson edited in the first test, its change refused by the service (as the sync records an
 * answer "rejected") with this reason. */
#define REFUSAL "Урок 01.09 уже нельзя изменить: изменения вносятся не позже 14 дней после урока"

/* A row the service refused says why, in the service's own words, as the outbox keeps them. */
static void
rejected_script (void)
{
  g_autofree char *tooltip = _zh_lessons_page_dup_state_tooltip (lessons_page (), edited_id);
  g_autofree char *expected = g_strdup_printf (_("refused by the service: %s"), REFUSAL);

  g_assert_cmpstr (_zh_lessons_page_get_state (lessons_page (), edited_id), ==, "rejected");
  g_assert_cmpstr (tooltip, ==, expected);
}

static void
test_rejected_row_gives_reason (void)
{
  g_autofree char *sql = NULL;

  g_assert_nonnull (edited_id);
  sql = g_strdup_printf ("UPDATE outbox SET state = 'rejected', reason_code = 'edit_window_closed', "
                         "reason_message = '" REFUSAL "' WHERE entity = 'lesson' "
                         "AND entity_id = '%s'", edited_id);
  copy_exec (sql);
  g_assert_cmpint (copy_int ("SELECT count (*) FROM outbox WHERE state = 'rejected' AND entity_id = ?1",
                             edited_id), ==, 1);
  run_app (rejected_script);
}

/* 004 §3.6: a lesson is changed by its teacher for at most the edit window's days; older, the
 * topic is refused at once with the policy's reason and the copy does not change. */
static void
refused_script (void)
{
  ZhJournalPage *page;
  const ZhJournalLesson *lesson;
  g_autofree char *expected = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  guint days;
  int year, month, day;

  show_year ();
  page = _zh_window_get_page (window);
  g_assert_cmpuint (page->n_lessons, >, 0);
  lesson = row_lesson (0);
  g_assert_cmpstr (lesson->id, ==, page->lessons[0].id);
  before = copy_text ("SELECT topic FROM lesson WHERE id = ?1", lesson->id);
  days = zh_policy_get_edit_window_days (page->policy);
  g_assert_cmpint (sscanf (lesson->date, "%d-%d-%d", &year, &month, &day), ==, 3);
  {
    g_autofree char *date = g_strdup_printf ("%02d.%02d.%04d", day, month, year);

    expected = g_strdup_printf (ngettext ("The lesson of %s can no longer be changed: changes "
                                          "are allowed for %u day after the lesson",
                                          "The lesson of %s can no longer be changed: changes "
                                          "are allowed for %u days after the lesson", days),
                                date, days);
  }

  _zh_lessons_page_edit (lessons_page (), 0);
  wait_for (editing, "the old row to be edited");
  gtk_editable_set_text (GTK_EDITABLE (_zh_lessons_page_get_topic_entry (lessons_page ())),
                         "Тема, записанная слишком поздно");
  g_signal_emit_by_name (_zh_lessons_page_get_topic_entry (lessons_page ()), "activate");
  wait_for (page_idle, "the refusal");
  g_assert_cmpstr (_zh_lessons_page_get_last_toast (lessons_page ()), ==, expected);
  /* The editor stays for a correction or Escape; nothing reached the copy. */
  g_assert_true (_zh_lessons_page_is_editing (lessons_page ()));
  after = copy_text ("SELECT topic FROM lesson WHERE id = ?1", lesson->id);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpint (copy_int ("SELECT count (*) FROM outbox WHERE entity_id = ?1", lesson->id), ==,
                   0);
  gtk_widget_activate_action (GTK_WIDGET (lessons_page ()), "lessons.cancel-edit", NULL);
}

static void
test_refused_edit (void)
{
  run_app (refused_script);
}

/* 001 §5.3 (a lesson per timetable): the dialog offers the dates of the timetable without a
 * lesson, none to come and none that has its lesson; the lesson added lands in the copy with its
 * outbox operation and shows on the grid and on the page. */
static void
add_script (void)
{
  ZhJournalPage *page = _zh_window_get_page (window);
  g_autofree char *sql = NULL;
  g_autofree char *lesson_id = NULL;
  AdwMessageDialog *dialog;
  GPtrArray *slots;
  int chosen = -1;
  int column = -1;

  gtk_widget_activate_action (GTK_WIDGET (lessons_page ()), "lessons.add-lesson", NULL);
  wait_for (dialog_shown, "the add-lesson dialog");
  slots = _zh_lessons_page_get_free_slots (lessons_page ());
  g_assert_nonnull (slots);
  for (guint i = 0; i < slots->len; i++)
    {
      ZhLessonsFreeSlot *slot = slots->pdata[i];
      g_autofree char *taken = g_strdup_printf ("SELECT count (*) FROM lesson WHERE group_id = ?1 "
                                                "AND date = '%s' AND number = %d",
                                                slot->date, slot->number);

      g_assert_cmpint (copy_int (taken, group_id), ==, 0);
      g_assert_cmpstr (slot->date, <=, today);
      g_assert_cmpstr (slot->date, >=, page->period.starts);
      if (g_str_equal (slot->date, removed_date) && slot->number == removed_number)
        chosen = (int) i;
    }
  g_assert_cmpint (chosen, >=, 0);

  dialog = _zh_lessons_page_get_dialog (lessons_page ());
  gtk_drop_down_set_selected (_zh_lessons_page_get_date_dropdown (lessons_page ()), chosen);
  expected_shown = shown + 1;
  adw_message_dialog_response (dialog, "add");
  wait_for (page_idle, "the lesson added");
  g_assert_null (_zh_lessons_page_get_last_toast (lessons_page ()));
  wait_reload ();

  sql = g_strdup_printf ("SELECT id FROM lesson WHERE group_id = ?1 AND date = '%s' AND "
                         "number = %d", removed_date, removed_number);
  lesson_id = copy_text (sql, group_id);
  g_assert_nonnull (lesson_id);
  g_assert_cmpint (copy_int ("SELECT count (*) FROM outbox WHERE entity = 'lesson' AND "
                             "entity_id = ?1 AND action = 'put'", lesson_id), ==, 1);
  page = _zh_window_get_page (window);
  column = zh_journal_page_find_column (page, lesson_id);
  g_assert_cmpint (column, >=, 0);
  g_assert_cmpint (find_row (lesson_id), >=, 0);
  g_assert_cmpstr (_zh_lessons_page_get_state (lessons_page (), lesson_id), ==, "waiting");

  /* Now it has its lesson, the date is offered no more. */
  gtk_widget_activate_action (GTK_WIDGET (lessons_page ()), "lessons.add-lesson", NULL);
  wait_for (page_idle, "the free dates");
  slots = _zh_lessons_page_get_free_slots (lessons_page ());
  for (guint i = 0; slots != NULL && i < slots->len; i++)
    {
      ZhLessonsFreeSlot *slot = slots->pdata[i];

      g_assert_false (g_str_equal (slot->date, removed_date) && slot->number == removed_number);
    }
  if (_zh_lessons_page_get_dialog (lessons_page ()) != NULL)
    adw_message_dialog_response (_zh_lessons_page_get_dialog (lessons_page ()), "cancel");
  zh_test_spin (50);
}

static void
test_add_lesson (void)
{
  run_app (add_script);
}

/* ---- the copy --------------------------------------------------------------------------------- */

/* The demo school as the teacher's offline copy, the account current with a kept token: the app
 * opens it offline. In each of the teacher's groups the latest lesson up to today loses its topic
 * (for the completion) and the lesson before the one before it is removed (a free date). */
static void
make_copy (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhAccount) account = zh_account_new (SERVER_URL, "teacher", &error);
  g_autoptr(ZhOffline) offline = NULL;
  g_autoptr(ZhStaff) staff = NULL;
  g_autofree char *staff_id = NULL;
  g_autofree char *token_path = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(ZhPolicy) policy = zh_policy_new_default ();
  ZhDemoOptions options = { 0.25, 1, NULL };
  GDate date;

  g_assert_no_error (error);
  copy_path = g_strdup (zh_account_get_offline_path (account));
  g_assert_cmpint (g_mkdir_with_parents (zh_account_get_dir (account), 0700), ==, 0);
  {
    g_autoptr(ZhStore) store = zh_store_open (copy_path, ZH_STORE_FLAGS_BULK_LOAD, &error);

    g_assert_no_error (error);
    g_assert_true (zh_demo_generate (store, &options, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
  }
  zh_policy_local_date (policy, g_get_real_time () / G_USEC_PER_SEC, &date);
  today = g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (&date), g_date_get_month (&date),
                           g_date_get_day (&date));

  staff_id = copy_text ("SELECT id FROM staff WHERE login = 'teacher'", NULL);
  /* The teacher's group of this year with the most lessons in the last ten days, and a plan. */
  g_date_subtract_days (&date, 10);
  sql = g_strdup_printf ("SELECT g.id FROM study_group g WHERE g.teacher_id = ?1 AND EXISTS "
                         "(SELECT 1 FROM plan_item p WHERE p.group_id = g.id) ORDER BY "
                         "(SELECT count (*) FROM lesson l WHERE l.group_id = g.id "
                         "AND l.date >= '%04d-%02d-%02d') DESC LIMIT 1", g_date_get_year (&date),
                         g_date_get_month (&date), g_date_get_day (&date));
  group_id = copy_text (sql, staff_id);
  g_free (sql);
  g_assert_nonnull (group_id);
  sql = g_strdup_printf ("UPDATE lesson SET topic = '', plan_item_id = NULL, "
                         "topic_entered_at = NULL WHERE id = (SELECT id FROM lesson "
                         "WHERE group_id = '%s' AND date <= '%s' "
                         "ORDER BY date DESC, number DESC LIMIT 1)", group_id, today);
  copy_exec (sql);
  g_free (sql);
  /* The third lesson back goes, with its marks and absences. */
  sql = g_strdup_printf ("SELECT date || '/' || number FROM lesson WHERE group_id = ?1 "
                         "AND date <= '%s' ORDER BY date DESC, number DESC LIMIT 1 OFFSET 2",
                         today);
  removed_date = copy_text (sql, group_id);
  g_free (sql);
  g_assert_nonnull (removed_date);
  {
    char *slash = strchr (removed_date, '/');

    removed_number = atoi (slash + 1);
    *slash = '\0';
  }
  sql = g_strdup_printf ("DELETE FROM mark WHERE lesson_id IN (SELECT id FROM lesson WHERE "
                         "group_id = '%s' AND date = '%s' AND number = %d);"
                         "DELETE FROM attendance WHERE lesson_id IN (SELECT id FROM lesson WHERE "
                         "group_id = '%s' AND date = '%s' AND number = %d);"
                         "DELETE FROM lesson WHERE group_id = '%s' AND date = '%s' AND number = %d;",
                         group_id, removed_date, removed_number, group_id, removed_date,
                         removed_number, group_id, removed_date, removed_number);
  copy_exec (sql);
  g_test_message ("today %s; lesson removed on %s, number %d", today, removed_date,
                  removed_number);

  offline = zh_offline_open_path (copy_path, &error);
  g_assert_no_error (error);
  staff = zh_store_get_entity (zh_offline_get_store (offline), &zh_staff_info, staff_id, &error);
  g_assert_no_error (error);
  g_assert_true (zh_offline_set_account (offline, SERVER_URL, staff, &error));
  g_assert_no_error (error);
  /* The token as a session without a Secret Service keeps it (zh-account.h): storing it
   * through the keyring would make gnome-keyring ask for a new keyring's password. */
  token_path = g_build_filename (zh_account_get_dir (account), "token", NULL);
  g_assert_true (g_file_set_contents_full (token_path, "token-kept-from-before", -1,
                                           G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error));
  g_assert_no_error (error);
  g_assert_true (zh_account_make_current (account, &error));
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *data = NULL;
  g_autofree char *config = NULL;
  int status;

  g_setenv ("LANGUAGE", "ru", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_unsetenv ("ZH_SERVER_URL");
  home = zh_test_tmpdir_new ();
  data = g_build_filename (home, "data", NULL);
  config = g_build_filename (home, "config", NULL);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  zh_i18n_init ();
  gtk_test_init (&argc, &argv, NULL);
  make_copy ();

  g_test_add_func ("/lessons-page/edit/topic-and-homework", test_edit_topic_and_homework);
  g_test_add_func ("/lessons-page/edit/survives-reopening", test_edit_survives_reopening);
  g_test_add_func ("/lessons-page/edit/completion-offers-plan-topic",
                   test_completion_offers_plan_topic);
  g_test_add_func ("/lessons-page/edit/plan-topic-links-plan-item", test_plan_topic_links_plan_item);
  g_test_add_func ("/lessons-page/edit/refused-past-edit-window", test_refused_edit);
  g_test_add_func ("/lessons-page/sync/rejected-row-gives-reason", test_rejected_row_gives_reason);
  g_test_add_func ("/lessons-page/add/free-timetable-date", test_add_lesson);
  status = g_test_run ();

  g_free (copy_path);
  g_free (today);
  g_free (group_id);
  g_free (edited_id);
  g_free (edited_topic);
  g_free (edited_homework);
  g_free (removed_date);
  zh_test_tmpdir_free (home);
  return status;
}
