/* test-journal: the journal page as people read it (issue 6 §2, §3) — on hand-made rows for the
 * exact cases (arrivals, departures, double and corrected marks, averages, the columns after the
 * year mark, who sees which page) and on a small generated demo school compared with SQL. */
#define G_LOG_DOMAIN "test-journal"

#include "config.h"

#include <string.h>

#include "zh-demo.h"
#include "zh-entity-sql.h"
#include "zh-journal.h"
#include "zh-test-utils.h"

/* ---- hand-made rows ---------------------------------------------------------------------- */

#define SCHOOL   "00000000-0000-4000-8000-000000000001"
#define YEAR     "00000000-0000-4000-8000-000000000002"
#define Q1       "00000000-0000-4000-8000-000000000011"
#define Q2       "00000000-0000-4000-8000-000000000012"
#define Q3       "00000000-0000-4000-8000-000000000013"
#define Q4       "00000000-0000-4000-8000-000000000014"
#define H1       "00000000-0000-4000-8000-000000000015"
#define H2       "00000000-0000-4000-8000-000000000016"
#define MATHS_T  "00000000-0000-4000-8000-000000000021"
#define PHYS_T   "00000000-0000-4000-8000-000000000022"
#define DEPUTY   "00000000-0000-4000-8000-000000000023"
#define CLASS5   "00000000-0000-4000-8000-000000000031"
#define CLASS9   "00000000-0000-4000-8000-000000000032"
#define CLASS11  "00000000-0000-4000-8000-000000000033"
#define MATHS    "00000000-0000-4000-8000-000000000041"
#define PHYSICS  "00000000-0000-4000-8000-000000000042"
#define G5       "00000000-0000-4000-8000-000000000051"
#define G9       "00000000-0000-4000-8000-000000000052"
#define G11      "00000000-0000-4000-8000-000000000053"
#define G9PHYS   "00000000-0000-4000-8000-000000000054"
#define ZHUKOVA  "00000000-0000-4000-8000-000000000061" /* Жукова Вера: arrives 15.09 */
#define YOLKINA  "00000000-0000-4000-8000-000000000062" /* Ёлкина Анна: leaves after 16.09 */
#define EGOROVA  "00000000-0000-4000-8000-000000000063" /* Егорова Мария: all the time */
#define L1       "00000000-0000-4000-8000-000000000071" /* 02.09 */
#define L2       "00000000-0000-4000-8000-000000000072" /* 10.09, test */
#define L3       "00000000-0000-4000-8000-000000000073" /* 16.09, essay */
#define L4       "00000000-0000-4000-8000-000000000074" /* 22.09 */
#define L5       "00000000-0000-4000-8000-000000000075" /* 12.11, second quarter */
#define OLD_MARK "00000000-0000-4000-8000-000000000081"

/* 2025-09-10 07:32 UTC: 10:32 in Moscow. */
#define AT "1757489520"

static const char hand_rows[] =
  "INSERT INTO school (id, name, full_name, policy) VALUES ('" SCHOOL "', 'Школа', 'Школа № 1', "
    "'{}');"
  "INSERT INTO academic_year VALUES ('" YEAR "', '" SCHOOL "', '2025/2026', '2025-09-01', "
    "'2026-05-31', 0);"
  "INSERT INTO period VALUES ('" Q1 "', '" YEAR "', 'quarter', 1, '2025-09-01', '2025-10-26', 1, "
    "9, 0),"
  " ('" Q2 "', '" YEAR "', 'quarter', 2, '2025-11-05', '2025-12-28', 1, 9, 0),"
  " ('" Q3 "', '" YEAR "', 'quarter', 3, '2026-01-09', '2026-03-22', 1, 9, 0),"
  " ('" Q4 "', '" YEAR "', 'quarter', 4, '2026-04-01', '2026-05-31', 1, 9, 0),"
  " ('" H1 "', '" YEAR "', 'half', 1, '2025-09-01', '2025-12-28', 10, 11, 0),"
  " ('" H2 "', '" YEAR "', 'half', 2, '2026-01-09', '2026-05-31', 10, 11, 0);"
  "INSERT INTO staff (id, school_id, last_name, first_name, middle_name, roles, login) VALUES"
  " ('" MATHS_T "', '" SCHOOL "', 'Петрова', 'Анна', 'Сергеевна', 16, 'maths'),"
  " ('" PHYS_T "', '" SCHOOL "', 'Орлов', 'Игорь', 'Павлович', 16, 'physics'),"
  " ('" DEPUTY "', '" SCHOOL "', 'Смирнова', 'Ольга', 'Ивановна', 2, 'deputy');"
  "INSERT INTO class (id, year_id, grade, letter) VALUES ('" CLASS5 "', '" YEAR "', 5, 'А'),"
  " ('" CLASS9 "', '" YEAR "', 9, 'Б'), ('" CLASS11 "', '" YEAR "', 11, 'А');"
  "INSERT INTO subject (id, school_id, name, short_name) VALUES"
  " ('" MATHS "', '" SCHOOL "', 'Математика', 'Мат.'), ('" PHYSICS "', '" SCHOOL "', 'Физика', "
    "'Физ.');"
  "INSERT INTO study_group (id, class_id, subject_id, subgroup, teacher_id) VALUES"
  " ('" G5 "', '" CLASS5 "', '" MATHS "', 0, '" MATHS_T "'),"
  " ('" G9 "', '" CLASS9 "', '" MATHS "', 0, '" MATHS_T "'),"
  " ('" G11 "', '" CLASS11 "', '" MATHS "', 0, '" MATHS_T "'),"
  " ('" G9PHYS "', '" CLASS9 "', '" PHYSICS "', 1, '" PHYS_T "');"
  "INSERT INTO student (id, school_id, last_name, first_name, birth_date, gender) VALUES"
  " ('" ZHUKOVA "', '" SCHOOL "', 'Жукова', 'Вера', '2014-03-01', 'female'),"
  " ('" YOLKINA "', '" SCHOOL "', 'Ёлкина', 'Анна', '2014-04-01', 'female'),"
  " ('" EGOROVA "', '" SCHOOL "', 'Егорова', 'Мария', '2014-05-01', 'female');"
  "INSERT INTO group_member (id, group_id, student_id, date_from, date_to) VALUES"
  " ('00000000-0000-4000-8000-000000000091', '" G5 "', '" ZHUKOVA "', '2025-09-15', NULL),"
  " ('00000000-0000-4000-8000-000000000092', '" G5 "', '" YOLKINA "', '2025-09-01', '2025-09-16'),"
  " ('00000000-0000-4000-8000-000000000093', '" G5 "', '" EGOROVA "', '2025-09-01', NULL),"
  " ('00000000-0000-4000-8000-000000000094', '" G9 "', '" EGOROVA "', '2025-09-01', NULL),"
  " ('00000000-0000-4000-8000-000000000095', '" G11 "', '" EGOROVA "', '2025-09-01', NULL);"
  "INSERT INTO lesson (id, group_id, date, number, kind, topic, homework, teacher_id, "
    "topic_entered_at)"
  " VALUES ('" L1 "', '" G5 "', '2025-09-02', 2, 'lesson', 'Натуральные числа', '',"
  " '" MATHS_T "', " AT "),"
  " ('" L2 "', '" G5 "', '2025-09-10', 2, 'test', 'Контрольная работа № 1', '№ 12',"
  " '" MATHS_T "', " AT "),"
  " ('" L3 "', '" G5 "', '2025-09-16', 3, 'essay', 'Сочинение', '', '" MATHS_T "', NULL),"
  " ('" L4 "', '" G5 "', '2025-09-22', 1, 'lesson', 'Дроби', '', '" PHYS_T "', " AT "),"
  " ('" L5 "', '" G5 "', '2025-11-12', 1, 'lesson', 'Десятичные дроби', '', '" MATHS_T "', " AT ");"
  /* Егорова: 5 (answer, 1) on 02.09, 3 (test, 2) on 10.09, 4/5 (essay, 2 each) on 16.09,
   * 2 corrected to 4 (answer, 1) on 22.09, 3 in the second quarter. */
  "INSERT INTO mark (id, lesson_id, student_id, value, work_type, weight, part, state, "
    "entered_by, entered_at)"
  " VALUES ('00000000-0000-4000-8000-0000000000a1', '" L1 "', '" EGOROVA "', '5', 'answer', 1, 0, "
    "'active', '" MATHS_T "', " AT "),"
  " ('00000000-0000-4000-8000-0000000000a2', '" L2 "', '" EGOROVA "', '3', 'test', 2, 0, "
    "'active', '" MATHS_T "', " AT "),"
  " ('00000000-0000-4000-8000-0000000000a3', '" L3 "', '" EGOROVA "', '5', 'essay', 2, 2, "
    "'active', '" MATHS_T "', " AT "),"
  " ('00000000-0000-4000-8000-0000000000a4', '" L3 "', '" EGOROVA "', '4', 'essay', 2, 1, "
    "'active', '" MATHS_T "', " AT "),"
  " ('" OLD_MARK "', '" L4 "', '" EGOROVA "', '2', 'answer', 1, 0, 'corrected',"
  " '" PHYS_T "', " AT "),"
  " ('00000000-0000-4000-8000-0000000000a6', '" L4 "', '" EGOROVA "', '4', 'answer', 1, 0, "
    "'active', '" DEPUTY "', 1758700000),"
  " ('00000000-0000-4000-8000-0000000000a7', '" L5 "', '" EGOROVA "', '3', 'answer', 1, 0, "
    "'active', '" MATHS_T "', " AT "),"
  " ('00000000-0000-4000-8000-0000000000a8', '" L1 "', '" YOLKINA "', '4', 'answer', 1, 0, "
    "'active', '" MATHS_T "', " AT "),"
  " ('00000000-0000-4000-8000-0000000000a9', '" L4 "', '" ZHUKOVA "', 'pass', 'answer', 1, 0, "
    "'active', '" MATHS_T "', " AT ");"
  "INSERT INTO correction (id, target_kind, target_id, old_value, new_value, reason, document, "
    "authorised_by, at)"
  " VALUES ('00000000-0000-4000-8000-0000000000b1', 'mark', '" OLD_MARK "', '2', '4', "
    "'teacher_request',"
  " 'Приказ № 47 от 26.09.2025', '" DEPUTY "', 1758700000);"
  "INSERT INTO attendance (id, lesson_id, student_id, code, entered_by, entered_at) VALUES"
  " ('00000000-0000-4000-8000-0000000000c1', '" L2 "', '" ZHUKOVA "', 'ill',"
  " '" MATHS_T "', " AT "),"
  " ('00000000-0000-4000-8000-0000000000c2', '" L3 "', '" EGOROVA "', 'late',"
  " '" MATHS_T "', " AT ");"
  "INSERT INTO period_mark (id, student_id, group_id, kind, period_id, value, state, entered_by, "
    "entered_at)"
  " VALUES ('00000000-0000-4000-8000-0000000000d1', '" EGOROVA "', '" G5 "', 'period', '" Q1 "', "
    "'4', 'active', '" MATHS_T "', " AT "),"
  " ('00000000-0000-4000-8000-0000000000d2', '" EGOROVA "', '" G5 "', 'period', '" Q2 "', '3', "
    "'active', '" MATHS_T "', " AT "),"
  " ('00000000-0000-4000-8000-0000000000d3', '" EGOROVA "', '" G5 "', 'year', NULL, '4', "
    "'active', '" MATHS_T "', " AT "),"
  " ('00000000-0000-4000-8000-0000000000d4', '" EGOROVA "', '" G9 "', 'year', NULL, '4', "
    "'active', '" MATHS_T "', " AT "),"
  " ('00000000-0000-4000-8000-0000000000d5', '" EGOROVA "', '" G9 "', 'exam', NULL, '5', "
    "'active', '" MATHS_T "', " AT "),"
  " ('00000000-0000-4000-8000-0000000000d6', '" EGOROVA "', '" G9 "', 'final', NULL, '5', "
    "'active', '" MATHS_T "', " AT "),"
  " ('00000000-0000-4000-8000-0000000000d7', '" EGOROVA "', '" G11 "', 'year', NULL, '3', "
    "'active', '" MATHS_T "', " AT "),"
  " ('00000000-0000-4000-8000-0000000000d8', '" EGOROVA "', '" G11 "', 'exam', NULL, '4', "
    "'active', '" MATHS_T "', " AT "),"
  " ('00000000-0000-4000-8000-0000000000d9', '" EGOROVA "', '" G11 "', 'final', NULL, '3', "
    "'active', '" MATHS_T "', " AT ");";

typedef struct
{
  char    *dir;
  ZhStore *store;
} HandFixture;

static void
hand_setup (HandFixture   *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = zh_test_tmpdir_new ();
  path = g_build_filename (f->dir, "school.sqlite", NULL);
  f->store = zh_store_open (path, ZH_STORE_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (zh_store_exec (f->store, hand_rows, &error));
  g_assert_no_error (error);
}

static void
hand_teardown (HandFixture   *f,
               gconstpointer  data)
{
  g_clear_object (&f->store);
  zh_test_tmpdir_free (f->dir);
}

static ZhJournalPage *
load (ZhStore    *store,
      const char *group,
      const char *period)
{
  g_autoptr(GError) error = NULL;
  ZhJournalPage *page = zh_journal_page_load (store, group, period, &error);

  g_assert_no_error (error);
  g_assert_nonnull (page);
  return page;
}

/* Rows are the students in the group at any time of the period, in paper journal order: surname,
 * name, with Ё filed as Е (Егорова, Ёлкина, Жукова; by code point Ё would come first). */
static void
test_rows_order (HandFixture   *f,
                 gconstpointer  data)
{
  g_autoptr(ZhJournalPage) page = load (f->store, G5, Q1);

  g_assert_cmpuint (page->n_rows, ==, 3);
  g_assert_cmpstr (page->rows[0].last_name, ==, "Егорова");
  g_assert_cmpstr (page->rows[1].last_name, ==, "Ёлкина");
  g_assert_cmpstr (page->rows[2].last_name, ==, "Жукова");
  g_assert_cmpstr (page->info.label, ==, "5А — Математика");
  g_assert_cmpstr (page->info.teacher_name, ==, "Петрова А. С.");
  g_assert_cmpint (zh_journal_page_find_row (page, YOLKINA), ==, 1);
  g_assert_cmpint (zh_journal_page_find_row (page, SCHOOL), ==, -1);

  /* The second quarter: Ёлкина left on 16.09 and is not on its page. */
  {
    g_autoptr(ZhJournalPage) q2 = load (f->store, G5, Q2);

    g_assert_cmpuint (q2->n_rows, ==, 2);
    g_assert_cmpint (zh_journal_page_find_row (q2, YOLKINA), ==, -1);
  }
}

/* Columns are the period's lessons by date and number, with their kind. */
static void
test_columns (HandFixture   *f,
              gconstpointer  data)
{
  g_autoptr(ZhJournalPage) page = load (f->store, G5, Q1);
  g_autoptr(ZhJournalPage) year = load (f->store, G5, NULL);

  g_assert_cmpuint (page->n_lessons, ==, 4);
  g_assert_cmpstr (page->lessons[0].date, ==, "2025-09-02");
  g_assert_cmpstr (page->lessons[1].id, ==, L2);
  g_assert_cmpint (page->lessons[1].kind, ==, ZH_LESSON_KIND_TEST);
  g_assert_cmpint (page->lessons[2].kind, ==, ZH_LESSON_KIND_ESSAY);
  g_assert_cmpstr (page->lessons[3].teacher_name, ==, "Орлов И. П.");
  g_assert_cmpint (page->lessons[2].topic_entered_at, ==, 0);
  g_assert_cmpstr (page->period.label, ==, "Quarter 1");
  g_assert_cmpint (zh_journal_page_find_column (page, L4), ==, 3);

  g_assert_cmpuint (year->n_lessons, ==, 5);
  g_assert_null (year->period.id);
  g_assert_cmpstr (year->period.starts, ==, "2025-09-01");
  g_assert_cmpstr (year->period.ends, ==, "2026-05-31");
}

/* Arrivals and departures (issue 6 §3): a cell before a student came or after they left is not a
 * member's cell; the row knows the dates. */
static void
test_arrival_departure (HandFixture   *f,
                        gconstpointer  data)
{
  g_autoptr(ZhJournalPage) page = load (f->store, G5, Q1);
  int zhukova = zh_journal_page_find_row (page, ZHUKOVA);
  int yolkina = zh_journal_page_find_row (page, YOLKINA);
  int egorova = zh_journal_page_find_row (page, EGOROVA);
  static const gboolean zhukova_member[] = { FALSE, FALSE, TRUE, TRUE };  /* from 15.09 */
  static const gboolean yolkina_member[] = { TRUE, TRUE, TRUE, FALSE };   /* to 16.09 inclusive */

  for (guint c = 0; c < page->n_lessons; c++)
    {
      g_assert_cmpint (!!(zh_journal_page_get_cell (page, zhukova,
                                                    c)->flags & ZH_JOURNAL_CELL_MEMBER),
                       ==, zhukova_member[c]);
      g_assert_cmpint (!!(zh_journal_page_get_cell (page, yolkina,
                                                    c)->flags & ZH_JOURNAL_CELL_MEMBER),
                       ==, yolkina_member[c]);
      g_assert_true (zh_journal_page_get_cell (page, egorova, c)->flags & ZH_JOURNAL_CELL_MEMBER);
    }
  g_assert_cmpstr (page->rows[zhukova].date_from, ==, "2025-09-15");
  g_assert_null (page->rows[zhukova].date_to);
  g_assert_cmpstr (page->rows[yolkina].date_to, ==, "2025-09-16");

  /* Attendance: «б» for Жукова on 10.09 is before her arrival: a row of someone not on the list
   * that day stays out of the cell's marks but is still shown (the data is what it is). */
  g_assert_true (zh_journal_page_get_cell (page, zhukova, 1)->flags & ZH_JOURNAL_CELL_ATTENDANCE);
  g_assert_cmpint (zh_journal_page_get_cell (page, zhukova, 1)->attendance, ==, ZH_ATTENDANCE_ILL);
}

/* A double mark (002 §5.2: compositions get two marks) is two values of one cell, part 1 first;
 * lateness and a mark may share a cell. */
static void
test_double_mark (HandFixture   *f,
                  gconstpointer  data)
{
  g_autoptr(ZhJournalPage) page = load (f->store, G5, Q1);
  int egorova = zh_journal_page_find_row (page, EGOROVA);
  const ZhJournalCell *cell = zh_journal_page_get_cell (page, egorova, 2);
  const ZhJournalMark *marks = zh_journal_page_get_marks (page, cell);

  g_assert_cmpuint (cell->n_marks, ==, 2);
  g_assert_cmpint (marks[0].part, ==, 1);
  g_assert_cmpstr (marks[0].value, ==, "4");
  g_assert_cmpint (marks[1].part, ==, 2);
  g_assert_cmpstr (marks[1].value, ==, "5");
  g_assert_cmpstr (marks[0].work_type, ==, "essay");
  g_assert_cmpfloat (marks[0].weight, ==, 2.0);
  g_assert_cmpstr (marks[0].entered_by, ==, "Петрова А. С.");
  g_assert_true (cell->flags & ZH_JOURNAL_CELL_ATTENDANCE);
  g_assert_cmpint (cell->attendance, ==, ZH_ATTENDANCE_LATE);

  /* An empty cell has no marks. */
  cell = zh_journal_page_get_cell (page, zh_journal_page_find_row (page, ZHUKOVA), 0);
  g_assert_cmpuint (cell->n_marks, ==, 0);
  g_assert_null (zh_journal_page_get_marks (page, cell));
}

/* A corrected mark (002 §7) stays in the database; the cell shows the mark that replaced it and
 * says it was corrected, and its history tells who, when, why and on what document. */
static void
test_corrected_mark (HandFixture   *f,
                     gconstpointer  data)
{
  g_autoptr(ZhJournalPage) page = load (f->store, G5, Q1);
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GError) error = NULL;
  int egorova = zh_journal_page_find_row (page, EGOROVA);
  const ZhJournalCell *cell = zh_journal_page_get_cell (page, egorova, 3);
  ZhJournalHistoryEntry *e;

  g_assert_cmpuint (cell->n_marks, ==, 1);
  g_assert_cmpstr (zh_journal_page_get_marks (page, cell)[0].value, ==, "4");
  g_assert_cmpstr (zh_journal_page_get_marks (page, cell)[0].entered_by, ==, "Смирнова О. И.");
  g_assert_true (cell->flags & ZH_JOURNAL_CELL_CORRECTED);
  g_assert_false (zh_journal_page_get_cell (page, egorova, 0)->flags & ZH_JOURNAL_CELL_CORRECTED);

  history = zh_journal_cell_history (f->store, EGOROVA, L4, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 3);
  e = history->pdata[0];
  g_assert_cmpint (e->kind, ==, ZH_JOURNAL_HISTORY_MARK);
  g_assert_false (e->active);
  g_assert_cmpstr (e->author, ==, "Орлов И. П.");
  /* Times on the school's clock (Europe/Moscow by default): 07:32 UTC is 10:32. */
  g_assert_cmpstr (e->time, ==, "10.09.2025 10:32");
  g_assert_cmpstr (e->text, ==, "2 — Answer in class, weight 1");
  e = history->pdata[1];
  g_assert_cmpint (e->kind, ==, ZH_JOURNAL_HISTORY_CORRECTION);
  g_assert_cmpstr (e->text, ==, "2 corrected to 4");
  g_assert_cmpstr (e->reason, ==, "the teacher’s written request");
  g_assert_cmpstr (e->document, ==, "Приказ № 47 от 26.09.2025");
  g_assert_cmpstr (e->author, ==, "Смирнова О. И.");
  e = history->pdata[2];
  g_assert_cmpint (e->kind, ==, ZH_JOURNAL_HISTORY_MARK);
  g_assert_true (e->active);

  /* A cell with an attendance record and a double mark: three entries. */
  g_clear_pointer (&history, g_ptr_array_unref);
  history = zh_journal_cell_history (f->store, EGOROVA, L3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 3);
  e = history->pdata[2];
  g_assert_cmpint (e->kind, ==, ZH_JOURNAL_HISTORY_ATTENDANCE);
  g_assert_cmpstr (e->text, ==, "L — late");
}

/* The history of a cell shows changes the service logged (001 §6.3), when the database has the
 * audit log. */
static void
test_history_audit (HandFixture   *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GError) error = NULL;
  ZhJournalHistoryEntry *e;

  g_assert_true (zh_store_exec (f->store, "INSERT INTO audit (at, staff_id, entity, entity_id, "
                                          "action) "
                                          "VALUES (1757500000, '" MATHS_T "', 'mark', "
                                          "'00000000-0000-4000-8000-0000000000a1', 'update')",
                                &error));
  history = zh_journal_cell_history (f->store, EGOROVA, L1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 2);
  e = history->pdata[1];
  g_assert_cmpint (e->kind, ==, ZH_JOURNAL_HISTORY_CHANGE);
  g_assert_cmpstr (e->text, ==, "changed");
  g_assert_cmpstr (e->author, ==, "Петрова А. С.");

  g_clear_pointer (&history, g_ptr_array_unref);
  history = zh_journal_cell_history (f->store, EGOROVA, SCHOOL, &error);
  g_assert_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_NOT_FOUND);
  g_assert_null (history);
}

/* The weighted average (DESIGN §5, 002 §5.2) over the page's active marks: both halves of a double
 * mark count, the corrected mark does not, a pass/fail mark is counted but not averaged. */
static void
test_averages (HandFixture   *f,
               gconstpointer  data)
{
  g_autoptr(ZhJournalPage) page = load (f->store, G5, Q1);
  g_autoptr(ZhJournalPage) year = load (f->store, G5, NULL);
  const ZhJournalRow *row = &page->rows[zh_journal_page_find_row (page, EGOROVA)];
  const ZhJournalRow *zhukova = &page->rows[zh_journal_page_find_row (page, ZHUKOVA)];
  ZhMark m[5] = { { 0 } };
  ZhMark *pointers[5];
  static const char *values[] = { "5", "3", "4", "5", "4" };
  static const double weights[] = { 1, 2, 2, 2, 1 };
  double expected;

  /* 5·1 + 3·2 + 4·2 + 5·2 + 4·1 = 33 over 8. */
  g_assert_cmpuint (row->n_marks, ==, 5);
  g_assert_true (row->has_average);
  g_assert_cmpfloat_with_epsilon (row->average, 33.0 / 8.0, 1e-9);
  for (guint i = 0; i < 5; i++)
    {
      m[i].value = (char *) values[i];
      m[i].work_type = (char *) "answer";
      m[i].weight = weights[i];
      m[i].state = ZH_MARK_STATE_ACTIVE;
      pointers[i] = &m[i];
    }
  g_assert_true (zh_policy_weighted_average (page->policy, pointers, 5, &expected, NULL));
  g_assert_cmpfloat (row->average, ==, expected);
  g_assert_cmpstr (row->suggested, ==, zh_policy_suggest_period_mark (page->policy, expected));
  g_assert_cmpstr (row->suggested, ==, "4");
  g_assert_cmpstr (row->period_mark, ==, "4");
  g_assert_false (row->corrected);

  /* Жукова has one «зач»: one mark, nothing to average, no suggestion. */
  g_assert_cmpuint (zhukova->n_marks, ==, 1);
  g_assert_false (zhukova->has_average);
  g_assert_null (zhukova->suggested);
  g_assert_null (zhukova->period_mark);

  /* The year: one more 3 (answer): 36 over 9 = 4,00; quarter marks and the year mark. */
  row = &year->rows[zh_journal_page_find_row (year, EGOROVA)];
  g_assert_cmpuint (row->n_marks, ==, 6);
  g_assert_cmpfloat_with_epsilon (row->average, 36.0 / 9.0, 1e-9);
  g_assert_cmpuint (year->n_periods, ==, 4);
  g_assert_cmpstr (year->periods[0].short_label, ==, "I");
  g_assert_cmpstr (row->term_marks[0], ==, "4");
  g_assert_cmpstr (row->term_marks[1], ==, "3");
  g_assert_null (row->term_marks[2]);
  g_assert_cmpstr (row->period_mark, ==, "4");
}

/* After the year mark: ГИА and Итог in grade 9; in grade 11 Итог only, the exam mark is not put
 * in the journal (000 §7.4); a quarter page has neither. */
static void
test_exam_columns (HandFixture   *f,
                   gconstpointer  data)
{
  g_autoptr(ZhJournalPage) nine = load (f->store, G9, NULL);
  g_autoptr(ZhJournalPage) eleven = load (f->store, G11, NULL);
  g_autoptr(ZhJournalPage) quarter = load (f->store, G9, Q1);
  g_autoptr(ZhJournalPage) five = load (f->store, G5, NULL);

  g_assert_true (nine->has_exam);
  g_assert_true (nine->has_final);
  g_assert_cmpstr (nine->rows[0].exam_mark, ==, "5");
  g_assert_cmpstr (nine->rows[0].final_mark, ==, "5");
  g_assert_cmpstr (nine->rows[0].period_mark, ==, "4");

  g_assert_false (eleven->has_exam);
  g_assert_true (eleven->has_final);
  g_assert_null (eleven->rows[0].exam_mark);
  g_assert_cmpstr (eleven->rows[0].final_mark, ==, "3");
  /* Half-years in grade 11 (001 §4.2). */
  g_assert_cmpuint (eleven->n_periods, ==, 2);
  g_assert_cmpint (eleven->periods[0].kind, ==, ZH_PERIOD_KIND_HALF);

  g_assert_false (quarter->has_exam);
  g_assert_false (quarter->has_final);
  g_assert_null (quarter->rows[0].exam_mark);
  g_assert_null (quarter->rows[0].period_mark);
  g_assert_false (five->has_exam);
  g_assert_false (five->has_final);
}

static gboolean
has_page (GPtrArray  *pages,
          const char *group)
{
  for (guint i = 0; i < pages->len; i++)
    if (g_str_equal (((ZhJournalPageInfo *) pages->pdata[i])->group_id, group))
      return TRUE;
  return FALSE;
}

/* Issue 6 §2: a teacher sees the groups they teach; a deputy every group of the school, by class
 * then subject; labels name the subgroup. */
static void
test_list_pages (HandFixture   *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) maths = zh_journal_list_pages (f->store, MATHS_T, ZH_ROLE_TEACHER, NULL,
                                                      &error);
  g_autoptr(GPtrArray) physics = NULL;
  g_autoptr(GPtrArray) deputy = NULL;
  g_autoptr(ZhJournalAccount) account = NULL;
  ZhJournalPageInfo *info;

  g_assert_no_error (error);
  g_assert_cmpuint (maths->len, ==, 3);
  g_assert_false (has_page (maths, G9PHYS));
  info = maths->pdata[0];
  g_assert_cmpstr (info->label, ==, "5А — Математика");
  g_assert_cmpstr (((ZhJournalPageInfo *) maths->pdata[2])->class_name, ==, "11А");

  physics = zh_journal_list_pages (f->store, PHYS_T, ZH_ROLE_TEACHER, YEAR, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (physics->len, ==, 1);
  info = physics->pdata[0];
  g_assert_cmpstr (info->label, ==, "9Б — Физика, subgroup 1");
  g_assert_cmpint (info->subgroup, ==, 1);

  account = zh_journal_find_account (f->store, "deputy", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (account->staff_id, ==, DEPUTY);
  g_assert_cmpstr (account->name, ==, "Смирнова Ольга Ивановна");
  deputy = zh_journal_list_pages (f->store, account->staff_id, account->roles, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (deputy->len, ==, 4);
  /* By class (grade, letter), then subject: 5А, 9Б Математика, 9Б Физика, 11А. */
  g_assert_cmpstr (((ZhJournalPageInfo *) deputy->pdata[0])->group_id, ==, G5);
  g_assert_cmpstr (((ZhJournalPageInfo *) deputy->pdata[1])->group_id, ==, G9);
  g_assert_cmpstr (((ZhJournalPageInfo *) deputy->pdata[2])->group_id, ==, G9PHYS);
  g_assert_cmpstr (((ZhJournalPageInfo *) deputy->pdata[3])->group_id, ==, G11);

  /* A class teacher also sees every page of their class (002 §5.3). */
  g_assert_true (zh_store_exec (f->store, "UPDATE class SET class_teacher_id = '" MATHS_T "' "
                                          "WHERE id = '" CLASS9 "'", &error));
  g_clear_pointer (&maths, g_ptr_array_unref);
  maths = zh_journal_list_pages (f->store, MATHS_T, ZH_ROLE_TEACHER | ZH_ROLE_CLASS_TEACHER, NULL,
                                 &error);
  g_assert_no_error (error);
  g_assert_cmpuint (maths->len, ==, 4);
  g_assert_true (has_page (maths, G9PHYS));

  g_assert_null (zh_journal_find_account (f->store, "nobody", &error));
  g_assert_error (error, ZH_JOURNAL_ERROR, ZH_JOURNAL_ERROR_NO_STAFF);
}

/* The periods of a page are its grade's (quarters in 1–9, half-years in 10–11) and the year. */
static void
test_list_periods (HandFixture   *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) five = zh_journal_list_periods (f->store, G5, &error);
  g_autoptr(GPtrArray) eleven = NULL;
  ZhJournalPeriod *p;

  g_assert_no_error (error);
  g_assert_cmpuint (five->len, ==, 5);
  p = five->pdata[1];
  g_assert_cmpstr (p->id, ==, Q2);
  g_assert_cmpstr (p->label, ==, "Quarter 2");
  p = five->pdata[4];
  g_assert_null (p->id);
  g_assert_cmpstr (p->label, ==, "Year");

  eleven = zh_journal_list_periods (f->store, G11, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (eleven->len, ==, 3);
  g_assert_cmpstr (((ZhJournalPeriod *) eleven->pdata[0])->label, ==, "Half-year 1");

  g_assert_null (zh_journal_list_periods (f->store, SCHOOL, &error));
  g_assert_error (error, ZH_JOURNAL_ERROR, ZH_JOURNAL_ERROR_NO_GROUP);
}

/* Asking for a group or period that is not there fails with the error that says so. */
static void
test_not_found (HandFixture   *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (zh_journal_page_load (f->store, SCHOOL, NULL, &error));
  g_assert_error (error, ZH_JOURNAL_ERROR, ZH_JOURNAL_ERROR_NO_GROUP);
  g_clear_error (&error);
  /* A half-year is not a period of grade 5. */
  g_assert_null (zh_journal_page_load (f->store, G5, H1, &error));
  g_assert_error (error, ZH_JOURNAL_ERROR, ZH_JOURNAL_ERROR_NO_PERIOD);
}

/* ---- the demo school --------------------------------------------------------------------- */

#define TODAY "2026-11-23"

static char *demo_dir;
static char *demo_path;
static ZhStore *demo;

static void
ensure_demo (void)
{
  g_autoptr(GError) error = NULL;
  ZhDemoOptions options = { 0.25, 1, TODAY };

  if (demo != NULL)
    return;
  demo_dir = zh_test_tmpdir_new ();
  demo_path = g_build_filename (demo_dir, "demo.sqlite", NULL);
  {
    g_autoptr(ZhStore) bulk = zh_store_open (demo_path, ZH_STORE_FLAGS_BULK_LOAD, &error);

    g_assert_no_error (error);
    g_assert_true (zh_demo_generate (bulk, &options, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
  }
  demo = zh_store_open (demo_path, ZH_STORE_FLAGS_READ_ONLY, &error);
  g_assert_no_error (error);
}

static gint64
query_int (const char *sql,
           const char *a,
           const char *b,
           const char *c)
{
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = zh_store_get_db (demo);
  gint64 value;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  sqlite3_bind_text (stmt, 1, a, -1, SQLITE_STATIC);
  if (b != NULL)
    sqlite3_bind_text (stmt, 2, b, -1, SQLITE_STATIC);
  if (c != NULL)
    sqlite3_bind_text (stmt, 3, c, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static char *
query_text (const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (zh_store_get_db (demo), sql, -1, &stmt, NULL), ==,
                   SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

/* The weighted average of one student's active marks in a group between two dates, from entity
 * rows read on their own (zh_entity_from_stmt), by the policy. */
static gboolean
sql_average (const ZhPolicy *policy,
             const char     *group,
             const char     *student,
             const char     *starts,
             const char     *ends,
             double         *average,
             guint          *n_marks)
{
  g_autofree char *select = zh_entity_sql_select (&zh_mark_info);
  g_autofree char *sql = NULL;
  g_autoptr(GPtrArray) marks = g_ptr_array_new_with_free_func ((GDestroyNotify) zh_mark_free);
  sqlite3_stmt *stmt = NULL;
  gboolean ok;

  /* zh_entity_sql_select is "SELECT columns FROM mark"; the columns are the table's. */
  sql = g_strdup_printf ("%s WHERE state = 'active' AND student_id = ?1 AND lesson_id IN "
                         "(SELECT id FROM lesson WHERE group_id = ?2 AND date BETWEEN ?3 AND ?4)",
                         select);
  g_assert_cmpint (sqlite3_prepare_v2 (zh_store_get_db (demo), sql, -1, &stmt, NULL), ==,
                   SQLITE_OK);
  sqlite3_bind_text (stmt, 1, student, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, group, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, starts, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, ends, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(GError) error = NULL;
      ZhMark *mark = zh_entity_from_stmt (&zh_mark_info, stmt, 0, &error);

      g_assert_no_error (error);
      g_ptr_array_add (marks, mark);
    }
  sqlite3_finalize (stmt);
  *n_marks = marks->len;
  ok = zh_policy_weighted_average (policy, (ZhMark **) marks->pdata, marks->len, average, NULL);
  return ok;
}

/* A year page of the demo school equals what SQL says: the students on the group's lists at any
 * time of the year, the lessons, the marks in force and the attendance, and each row's average
 * and suggested mark are the policy's over the student's marks. */
static void
test_demo_page (void)
{
  g_autofree char *group = NULL;
  g_autofree char *year = NULL;
  g_autoptr(ZhJournalPage) page = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;
  guint marks = 0, attendance = 0, members = 0;

  ensure_demo ();
  /* The page of last year with most students × lessons. */
  year = query_text ("SELECT id FROM academic_year ORDER BY starts LIMIT 1");
  group = query_text ("SELECT g.id FROM study_group g JOIN class c ON c.id = g.class_id "
                      "JOIN academic_year y ON y.id = c.year_id WHERE y.starts = "
                      "(SELECT min (starts) FROM academic_year) ORDER BY "
                      "(SELECT count(*) FROM lesson l WHERE l.group_id = g.id) * "
                      "(SELECT count(DISTINCT student_id) FROM group_member m WHERE m.group_id = "
                        "g.id) "
                      "DESC LIMIT 1");
  start = g_get_monotonic_time ();
  page = zh_journal_page_load (demo, group, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("year page %s: %u students × %u lessons, %u marks, loaded in %.1f ms",
                  page->info.label, page->n_rows, page->n_lessons, page->n_marks,
                  (g_get_monotonic_time () - start) / 1000.0);

  g_assert_cmpint (page->n_rows, ==,
                   query_int ("SELECT count(DISTINCT student_id) FROM group_member WHERE group_id "
                              "= ?1 "
                              "AND date_from <= ?3 AND (date_to IS NULL OR date_to >= ?2)",
                              group, page->period.starts, page->period.ends));
  g_assert_cmpint (page->n_lessons, ==,
                   query_int ("SELECT count(*) FROM lesson WHERE group_id = ?1", group, NULL,
                              NULL));
  g_assert_cmpuint (page->n_lessons, >, 20);
  for (guint r = 0; r < page->n_rows; r++)
    for (guint c = 0; c < page->n_lessons; c++)
      {
        const ZhJournalCell *cell = zh_journal_page_get_cell (page, r, c);

        marks += cell->n_marks;
        attendance += (cell->flags & ZH_JOURNAL_CELL_ATTENDANCE) != 0;
        members += (cell->flags & ZH_JOURNAL_CELL_MEMBER) != 0;
      }
  g_assert_cmpuint (marks, ==, page->n_marks);
  g_assert_cmpint (marks, ==,
                   query_int ("SELECT count(*) FROM mark m JOIN lesson l ON l.id = m.lesson_id "
                              "WHERE l.group_id = ?1 AND m.state = 'active'", group, NULL, NULL));
  g_assert_cmpint (attendance, ==,
                   query_int ("SELECT count(*) FROM attendance a JOIN lesson l ON l.id = "
                              "a.lesson_id "
                              "WHERE l.group_id = ?1", group, NULL, NULL));
  /* Member cells: each lesson's date within one of the student's stays. */
  g_assert_cmpint (members, ==,
                   query_int ("SELECT count(*) FROM lesson l JOIN (SELECT DISTINCT student_id, "
                              "date_from, "
                              "date_to FROM group_member WHERE group_id = ?1) m ON l.date >= "
                                "m.date_from "
                              "AND (m.date_to IS NULL OR l.date <= m.date_to) WHERE l.group_id = "
                                "?1",
                              group, NULL, NULL));

  for (guint r = 0; r < page->n_rows; r++)
    {
      const ZhJournalRow *row = &page->rows[r];
      double average = 0;
      guint n = 0;
      gboolean has = sql_average (page->policy, group, row->student_id, page->period.starts,
                                  page->period.ends, &average, &n);

      g_assert_cmpuint (row->n_marks, ==, n);
      g_assert_cmpint (row->has_average, ==, has);
      if (has)
        {
          g_assert_cmpfloat_with_epsilon (row->average, average, 1e-9);
          g_assert_cmpstr (row->suggested, ==, zh_policy_suggest_period_mark (page->policy,
                                                                              average));
        }
      /* Paper journal order: surnames (Ё as Е) never go backwards. */
      if (r > 0)
        {
          g_autofree char *a = g_strdup (page->rows[r - 1].last_name);
          g_autofree char *b = g_strdup (row->last_name);
          g_auto(GStrv) pa = g_strsplit (a, "Ё", -1);
          g_auto(GStrv) pb = g_strsplit (b, "Ё", -1);
          g_autofree char *ja = g_strjoinv ("Е", pa);
          g_autofree char *jb = g_strjoinv ("Е", pb);

          g_assert_cmpint (strcmp (ja, jb), <=, 0);
        }
    }
  /* Last year is complete: every period has marks (grades ≥ 2). */
  if (page->grade >= 2)
    for (guint p = 0; p < page->n_periods; p++)
      {
        guint given = 0;

        for (guint r = 0; r < page->n_rows; r++)
          given += page->rows[r].term_marks[p] != NULL;
        g_assert_cmpuint (given, >, 0);
      }
}

/* The demo school's corrected marks (002 §7) show as corrected cells with their history. */
static void
test_demo_corrections (void)
{
  sqlite3_stmt *stmt = NULL;
  guint seen = 0;

  ensure_demo ();
  g_assert_cmpint (sqlite3_prepare_v2 (zh_store_get_db (demo),
                                       "SELECT m.student_id, m.lesson_id, l.group_id, c.document "
                                       "FROM correction c JOIN mark m ON m.id = c.target_id "
                                       "JOIN lesson l ON l.id = m.lesson_id", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *student = (const char *) sqlite3_column_text (stmt, 0);
      const char *lesson = (const char *) sqlite3_column_text (stmt, 1);
      const char *group = (const char *) sqlite3_column_text (stmt, 2);
      g_autoptr(GError) error = NULL;
      g_autoptr(ZhJournalPage) page = zh_journal_page_load (demo, group, NULL, &error);
      g_autoptr(GPtrArray) history = NULL;
      const ZhJournalCell *cell;
      gboolean found = FALSE;

      g_assert_no_error (error);
      cell = zh_journal_page_get_cell (page, zh_journal_page_find_row (page, student),
                                       zh_journal_page_find_column (page, lesson));
      g_assert_true (cell->flags & ZH_JOURNAL_CELL_CORRECTED);
      g_assert_cmpuint (cell->n_marks, >=, 1);
      history = zh_journal_cell_history (demo, student, lesson, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < history->len; i++)
        {
          ZhJournalHistoryEntry *e = history->pdata[i];

          if (e->kind == ZH_JOURNAL_HISTORY_CORRECTION)
            {
              g_assert_cmpstr (e->document, ==, (const char *) sqlite3_column_text (stmt, 3));
              g_assert_nonnull (e->reason);
              found = TRUE;
            }
        }
      g_assert_true (found);
      seen++;
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (seen, ==, 2);
}

/* The demo logins: the deputy sees every group of this year; `teacher` the groups they teach and
 * those of the class they lead (002 §5.3), nothing else. */
static void
test_demo_pages (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhJournalAccount) deputy = NULL;
  g_autoptr(ZhJournalAccount) teacher = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) own = NULL;
  g_autofree char *year = NULL;

  ensure_demo ();
  year = query_text ("SELECT id FROM academic_year ORDER BY starts DESC LIMIT 1");
  deputy = zh_journal_find_account (demo, "deputy", &error);
  g_assert_no_error (error);
  all = zh_journal_list_pages (demo, deputy->staff_id, deputy->roles, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (all->len, ==,
                   query_int ("SELECT count(*) FROM study_group g JOIN class c ON c.id = "
                              "g.class_id "
                              "WHERE c.year_id = ?1", year, NULL, NULL));
  for (guint i = 1; i < all->len; i++)
    {
      ZhJournalPageInfo *a = all->pdata[i - 1], *b = all->pdata[i];

      g_assert_true (a->grade < b->grade ||
                     (a->grade == b->grade && strcmp (a->class_name, b->class_name) <= 0));
    }

  teacher = zh_journal_find_account (demo, "teacher", &error);
  g_assert_no_error (error);
  own = zh_journal_list_pages (demo, teacher->staff_id, teacher->roles, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (own->len, ==,
                   query_int ("SELECT count(*) FROM study_group g JOIN class c ON c.id = "
                              "g.class_id "
                              "WHERE c.year_id = ?1 AND (g.teacher_id = ?2 OR c.class_teacher_id "
                                "= ?2)",
                              year, teacher->staff_id, NULL));
  g_assert_cmpuint (own->len, <, all->len);
  for (guint i = 0; i < own->len; i++)
    {
      ZhJournalPageInfo *info = own->pdata[i];

      g_assert_true (g_strcmp0 (info->teacher_id, teacher->staff_id) == 0 ||
                     query_int ("SELECT count(*) FROM class WHERE id = ?1 AND class_teacher_id = "
                                "?2",
                                info->class_id, teacher->staff_id, NULL) == 1);
      g_assert_true (g_str_has_prefix (info->label, info->class_name));
    }
}

/* The queries of a page use the schema's indexes, never a scan of a big table. */
static void
test_demo_query_plans (void)
{
  static const char * const queries[] = {
    "SELECT m.id FROM lesson l JOIN mark m ON m.lesson_id = l.id "
    "WHERE l.group_id = ?1 AND l.date BETWEEN ?2 AND ?3",
    "SELECT a.code FROM lesson l JOIN attendance a ON a.lesson_id = l.id "
    "WHERE l.group_id = ?1 AND l.date BETWEEN ?2 AND ?3",
    "SELECT id FROM lesson WHERE group_id = ?1 AND date BETWEEN ?2 AND ?3 ORDER BY date, number",
    "SELECT s.id FROM group_member m JOIN student s ON s.id = m.student_id "
    "WHERE m.group_id = ?1 AND m.date_from <= ?3 AND (m.date_to IS NULL OR m.date_to >= ?2)",
    "SELECT value FROM period_mark WHERE group_id = ?1",
    "SELECT id FROM mark WHERE lesson_id = ?1 AND student_id = ?2",
    "SELECT id FROM correction WHERE target_id = ?1",
    "SELECT at FROM audit WHERE entity = ?1 AND entity_id = ?2",
  };

  ensure_demo ();
  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autofree char *sql = g_strdup_printf ("EXPLAIN QUERY PLAN %s", queries[i]);
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (zh_store_get_db (demo), sql, -1, &stmt, NULL), ==,
                       SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          const char *detail = (const char *) sqlite3_column_text (stmt, 3);

          g_test_message ("%s: %s", queries[i], detail);
          /* A SCAN of a table (not of an index) reads every row. */
          g_assert_false (g_str_has_prefix (detail, "SCAN ") && strstr (detail, "INDEX") == NULL);
        }
      sqlite3_finalize (stmt);
    }
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_setenv ("LANGUAGE", "C", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, NULL);

#define HAND(path, func) \
  g_test_add (path, HandFixture, NULL, hand_setup, func, hand_teardown)
  HAND ("/journal/page/rows-in-paper-order", test_rows_order);
  HAND ("/journal/page/columns-are-lessons", test_columns);
  HAND ("/journal/page/arrival-and-departure", test_arrival_departure);
  HAND ("/journal/page/double-mark", test_double_mark);
  HAND ("/journal/page/corrected-mark", test_corrected_mark);
  HAND ("/journal/page/history-audit", test_history_audit);
  HAND ("/journal/page/weighted-average", test_averages);
  HAND ("/journal/page/exam-and-final-columns", test_exam_columns);
  HAND ("/journal/pages/who-sees-what", test_list_pages);
  HAND ("/journal/periods/of-the-grade", test_list_periods);
  HAND ("/journal/page/not-found", test_not_found);
#undef HAND
  g_test_add_func ("/journal/demo/page-equals-sql", test_demo_page);
  g_test_add_func ("/journal/demo/corrections", test_demo_corrections);
  g_test_add_func ("/journal/demo/pages-of-logins", test_demo_pages);
  g_test_add_func ("/journal/demo/query-plans", test_demo_query_plans);

  status = g_test_run ();
  g_clear_object (&demo);
  g_free (demo_path);
  zh_test_tmpdir_free (demo_dir);
  return status;
}
