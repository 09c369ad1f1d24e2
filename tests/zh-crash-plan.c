/* zh-crash-plan.c: the edits of the crash test, shared by its driver and its client. */
#define G_LOG_DOMAIN "zh-test"

#include "config.h"

#include <string.h>

#include "zh-crash-plan.h"
#include "zh-test-school.h"

/* zh_crash_plan_edit: edit @k of the plan. Every fifth is a topic (alternating classes, the same
 * lesson written again and again), every fifth an absence (a new pair each time, skipping the
 * student zh-test-school.c made absent that day), the rest marks in 5А (1А has none: 000 §3.11). */
void
zh_crash_plan_edit (guint        k,
                    ZhCrashEdit *e)
{
  guint p = k / 5;

  memset (e, 0, sizeof *e);
  if (k % 5 == 4)
    {
      e->kind = ZH_CRASH_TOPIC;
      e->klass = p % 2;
      e->day = (k / 10) % ZH_CRASH_DAYS;
      g_snprintf (e->text, sizeof e->text, "crash-topic-%05u", k);
      return;
    }
  if (k % 5 == 3 && p < 2 * 5 * ZH_CRASH_DAYS)
    {
      guint q = p / 2;

      e->kind = ZH_CRASH_ABSENCE;
      e->klass = p % 2;
      e->day = q / 5;
      e->student = (e->day % ZH_CRASH_STUDENTS + 1 + q % 5) % ZH_CRASH_STUDENTS;
      e->code = q % 3 == 0 ? ZH_ATTENDANCE_LATE : ZH_ATTENDANCE_ABSENT;
      return;
    }
  e->kind = ZH_CRASH_MARK;
  e->klass = 0;
  e->day = (k / 7) % ZH_CRASH_DAYS;
  e->student = k % ZH_CRASH_STUDENTS;
  g_snprintf (e->text, sizeof e->text, "%u", 2 + k % 4);
  g_snprintf (e->tag, sizeof e->tag, "crash-%05u", k);
}

/* zh_crash_plan_time: a time of entry on the lesson's own day (@day days ago) on the school's
 * clock (Europe/Moscow), at most a few minutes before @now. */
gint64
zh_crash_plan_time (guint  day,
                    gint64 now)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("Europe/Moscow");
  g_autoptr(GDateTime) local = g_date_time_new_from_unix_utc (now);
  g_autoptr(GDateTime) there = g_date_time_to_timezone (local, tz);
  g_autoptr(GDateTime) midnight = g_date_time_new (tz, g_date_time_get_year (there),
                                                   g_date_time_get_month (there),
                                                   g_date_time_get_day_of_month (there), 0, 0, 0);

  return MAX (now - 120, g_date_time_to_unix (midnight)) - (gint64) day * 86400;
}

static char *
query_text (ZhStore    *store,
            const char *sql,
            const char *a,
            const char *b)
{
  sqlite3_stmt *stmt = zh_store_prepare (store, sql, NULL);
  char *text = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, a, -1, SQLITE_TRANSIENT);
  if (b != NULL)
    sqlite3_bind_text (stmt, 2, b, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return text;
}

/* zh_crash_school_load: find the teacher's math groups of 5А and 1А, their lessons of the last
 * ZH_CRASH_DAYS days and their students in @store; FALSE when the store lacks one. */
gboolean
zh_crash_school_load (ZhStore       *store,
                      ZhCrashSchool *school)
{
  const char *grades[] = { "5", "1" };

  memset (school, 0, sizeof *school);
  for (guint c = 0; c < 2; c++)
    {
      g_autofree char *group = query_text (store, "SELECT g.id FROM study_group g "
                                                  "JOIN class cl ON cl.id = g.class_id "
                                                  "JOIN staff s ON s.id = g.teacher_id "
                                                  "WHERE s.login = 'teacher' AND cl.grade = ?1",
                                           grades[c], NULL);
      sqlite3_stmt *stmt;
      guint s = 0;

      if (group == NULL)
        return FALSE;
      for (guint d = 0; d < ZH_CRASH_DAYS; d++)
        {
          g_autofree char *date = zh_test_date_days_ago (d);

          school->lessons[c][d] = query_text (store, "SELECT id FROM lesson WHERE group_id = ?1 "
                                                     "AND date = ?2", group, date);
          if (school->lessons[c][d] == NULL)
            return FALSE;
        }
      stmt = zh_store_prepare (store, "SELECT st.id FROM group_member m "
                                      "JOIN student st ON st.id = m.student_id "
                                      "WHERE m.group_id = ?1 ORDER BY st.last_name", NULL);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, group, -1, SQLITE_TRANSIENT);
      while (s < ZH_CRASH_STUDENTS && sqlite3_step (stmt) == SQLITE_ROW)
        school->students[c][s++] = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      if (s < ZH_CRASH_STUDENTS)
        return FALSE;
    }
  return TRUE;
}

/* zh_crash_school_clear: free the ids of @school. */
void
zh_crash_school_clear (ZhCrashSchool *school)
{
  for (guint c = 0; c < 2; c++)
    {
      for (guint d = 0; d < ZH_CRASH_DAYS; d++)
        g_clear_pointer (&school->lessons[c][d], g_free);
      for (guint s = 0; s < ZH_CRASH_STUDENTS; s++)
        g_clear_pointer (&school->students[c][s], g_free);
    }
}
