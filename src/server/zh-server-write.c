/* zh-server-write.c: the write routes of data/api/openapi.yaml — POST /batch and POST /imports.
 *
 * Every write of the service runs on the single writer thread (docs/server.md): a batch is one
 * transaction with one savepoint per operation; each operation is looked up in op_log first (at
 * most once), decoded strictly, checked against the caller's school, base_rev, roles and the
 * school's policy (the same zh_policy_may_edit the client runs), written, given its rev and its
 * entry in the changes feed, and audited with the row before and after. */
#define G_LOG_DOMAIN "zh-server"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "zh-entity-sql.h"
#include "zh-policy.h"
#include "zh-server-private.h"
#include "zh-server-store.h"

/* The most operations one batch may carry (openapi.yaml, /batch). */
#define MAX_OPERATIONS 500
/* How far ahead of the service's clock a client's clock may be before its entered_at is refused. */
#define CLOCK_SKEW_SECONDS 300
#define SECONDS_PER_DAY (24 * 3600)

typedef enum
{
  ACTION_PUT,
  ACTION_DELETE,
  ACTION_CORRECT,
} Action;

typedef struct
{
  const char *op_id;
  const char *entity;
  Action      action;
  const char *id;
  gint64      base_rev;
  JsonNode   *value;      /* (nullable) borrowed from the request's JSON */
  const char *reason;     /* correct only */
  const char *document;
} Operation;

typedef enum
{
  RESULT_APPLIED,
  RESULT_REJECTED,
  RESULT_CONFLICT,
} ResultStatus;

typedef struct
{
  ResultStatus status;
  gint64       rev;
  const char  *code;
  char        *message;
  const char  *field;
  char        *current;   /* conflict: the service's row as JSON, NULL when there is none */
} Result;

/* What a write needs to know about a group: its teacher, grade and year. */
typedef struct
{
  char *teacher_id;
  char *school_id;
  char *class_id;
  int   grade;
  char *year_start;
  char *year_end;
} GroupFacts;

/* The state of one batch (or import) in the writer. */
typedef struct
{
  ZhServerRequest *request;
  ZhStore         *store;
  ZhPolicy        *policy;
  gint64           now;
  const char      *staff_id;
  const char      *school_id;
  guint            roles;
  GHashTable      *groups;   /* group id → GroupFacts, or no entry */
} Writer;

static void
group_facts_free (gpointer data)
{
  GroupFacts *facts = data;

  g_free (facts->teacher_id);
  g_free (facts->school_id);
  g_free (facts->class_id);
  g_free (facts->year_start);
  g_free (facts->year_end);
  g_free (facts);
}

static void
result_clear (Result *result)
{
  g_clear_pointer (&result->message, g_free);
  g_clear_pointer (&result->current, g_free);
  memset (result, 0, sizeof *result);
}

/* Refuse the operation with @code; always FALSE, so checks read `return reject (…)`. */
static gboolean G_GNUC_PRINTF (4, 5)
reject (Result     *result,
        const char *code,
        const char *field,
        const char *format,
        ...)
{
  va_list args;

  result->status = RESULT_REJECTED;
  result->code = code;
  result->field = field;
  g_free (result->message);
  va_start (args, format);
  result->message = g_strdup_vprintf (format, args);
  va_end (args);
  return FALSE;
}

/* Refuse with a rule's ZhPolicyError: its nick is the code, its message the reason. */
static gboolean
reject_policy (Result       *result,
               const GError *error,
               const char   *field)
{
  const char *code = zh_policy_error_to_code (error);

  return reject (result, code != NULL ? code : "forbidden", field, "%s", error->message);
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* ---- facts from the database --------------------------------------------------------------- */

/* The school of the row @id of @info as stored now (its parents decide), or NULL when the row is
 * not there. */
static char *
row_school (Writer             *w,
            const ZhEntityInfo *info,
            const char         *id,
            GError            **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM %s t WHERE t.id = ?1",
                                          zh_server_school_expression (info), info->table);
  sqlite3_stmt *stmt = zh_store_prepare (w->store, sql, error);
  char *school = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    school = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    zh_store_set_error (w->store, rc, "row school", error);
  sqlite3_reset (stmt);
  return school;
}

/* The facts of group @id, or NULL (with @error unset) when there is no such group. */
static const GroupFacts *
group_facts (Writer      *w,
             const char  *id,
             GError     **error)
{
  GroupFacts *facts;
  sqlite3_stmt *stmt;
  int rc;

  if (id == NULL)
    return NULL;
  facts = g_hash_table_lookup (w->groups, id);
  if (facts != NULL)
    return facts;

  stmt = zh_store_prepare (w->store,
                           "SELECT g.teacher_id, y.school_id, c.id, c.grade, y.starts, y.ends "
                           "FROM study_group g JOIN class c ON c.id = g.class_id "
                           "JOIN academic_year y ON y.id = c.year_id WHERE g.id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      facts = g_new0 (GroupFacts, 1);
      facts->teacher_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      facts->school_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      facts->class_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      facts->grade = sqlite3_column_int (stmt, 3);
      facts->year_start = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      facts->year_end = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      g_hash_table_insert (w->groups, g_strdup (id), facts);
    }
  else if (rc != SQLITE_DONE)
    zh_store_set_error (w->store, rc, "group", error);
  sqlite3_reset (stmt);
  return facts;
}

/* Whether one row matches @sql with the text parameters @a, @b, @c (NULL: not bound). */
static gboolean
exists (Writer      *w,
        const char  *sql,
        const char  *a,
        const char  *b,
        const char  *c,
        gboolean    *found,
        GError     **error)
{
  sqlite3_stmt *stmt = zh_store_prepare (w->store, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, a, -1, SQLITE_TRANSIENT);
  if (b != NULL)
    sqlite3_bind_text (stmt, 2, b, -1, SQLITE_TRANSIENT);
  if (c != NULL)
    sqlite3_bind_text (stmt, 3, c, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return zh_store_set_error (w->store, rc, "exists", error);
  *found = rc == SQLITE_ROW;
  return TRUE;
}

/* ---- checks shared by the journal entities ------------------------------------------------- */

/* DESIGN.md §4: deadlines and the edit window judge the time of entry, which the client records
 * when the teacher enters the data, offline too. Within bounds: not ahead of the service's clock
 * beyond a small skew, and not older than the edit window (a longer offline spell could otherwise
 * reopen any lesson with a made-up time). */
static gboolean
check_entered_at (Writer     *w,
                  gint64      entered_at,
                  const char *field,
                  Result     *result)
{
  guint days = zh_policy_get_edit_window_days (w->policy);

  if (entered_at > w->now + CLOCK_SKEW_SECONDS)
    return reject (result, "invalid_value", field,
                   _("The time of entry in “%s” is ahead of the service’s clock; check the "
                     "computer’s date and time."), field);
  if (entered_at < w->now - (gint64) days * SECONDS_PER_DAY)
    return reject (result, "entry_too_old", field,
                   ngettext ("The entry was made more than %u day before it reached the service; "
                             "ask the school administration to enter it.",
                             "The entry was made more than %u days before it reached the service; "
                             "ask the school administration to enter it.", days), days);
  return TRUE;
}

/* The group of a lesson's entity must be in the caller's school; FALSE with @result set. */
static gboolean
check_group (Writer            *w,
             const char        *group_id,
             const char        *field,
             const GroupFacts **out,
             Result            *result,
             GError           **error)
{
  const GroupFacts *facts = group_facts (w, group_id, error);

  *out = facts;
  if (facts == NULL)
    {
      if (error != NULL && *error != NULL)
        return FALSE;
      return reject (result, "not_found", field, _("There is no group with the id “%s”."),
                     group_id != NULL ? group_id : "");
    }
  if (g_strcmp0 (facts->school_id, w->school_id) != 0)
    return reject (result, "forbidden", field, "%s", _("The group belongs to another school."));
  return TRUE;
}

/* The student must be a member of the group on the lesson's date (a journal page lists only its
 * members, 004 §4.4.11). */
static gboolean
check_member (Writer      *w,
              const char  *group_id,
              const char  *student_id,
              const char  *date,
              Result      *result,
              GError     **error)
{
  gboolean found = FALSE;

  if (!exists (w, "SELECT 1 FROM group_member WHERE group_id = ?1 AND student_id = ?2 "
                  "AND date_from <= ?3 AND (date_to IS NULL OR date_to >= ?3)",
               group_id, student_id, date, &found, error))
    return FALSE;
  if (!found)
    return reject (result, "not_in_group", "student_id",
                   _("The student is not in this group on %s."), date);
  return TRUE;
}

static gboolean
is_class_teacher_of (Writer      *w,
                     const char  *student_id,
                     const char  *date,
                     gboolean    *found,
                     GError     **error)
{
  return exists (w, "SELECT 1 FROM enrollment e JOIN class c ON c.id = e.class_id "
                    "WHERE e.student_id = ?1 AND c.class_teacher_id = ?2 AND e.date_from <= ?3 "
                    "AND (e.date_to IS NULL OR e.date_to >= ?3)",
                 student_id, w->staff_id, date, found, error);
}

static void
edit_request_init (Writer           *w,
                   ZhEditRequest    *request,
                   ZhEditKind        kind,
                   const GroupFacts *facts,
                   const char       *date,
                   gint64            now)
{
  memset (request, 0, sizeof *request);
  request->kind = kind;
  request->roles = w->roles;
  request->teaches_group = facts != NULL && g_strcmp0 (facts->teacher_id, w->staff_id) == 0;
  request->grade = facts != NULL ? facts->grade : 0;
  request->date = date;
  request->year_start = facts != NULL ? facts->year_start : NULL;
  request->now = now;
}

static gboolean
may_edit (Writer              *w,
          const ZhEditRequest *request,
          const char          *field,
          Result              *result)
{
  g_autoptr(GError) error = NULL;

  if (zh_policy_may_edit (w->policy, request, &error))
    return TRUE;
  return reject_policy (result, error, field);
}

static gboolean
lesson_of (Writer      *w,
           const char  *lesson_id,
           ZhLesson   **out,
           Result      *result,
           GError     **error)
{
  g_autoptr(GError) local = NULL;

  *out = zh_store_get_entity (w->store, &zh_lesson_info, lesson_id, &local);
  if (*out != NULL)
    return TRUE;
  if (!g_error_matches (local, ZH_STORE_ERROR, ZH_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return reject (result, "not_found", "lesson_id", _("There is no lesson with the id “%s”."), lesson_id);
}

/* ---- the journal entities ------------------------------------------------------------------ */

/* A lesson follows the plan (КТП) of its own group (REQUIREMENTS §2; 000 §3.5.4): its plan item,
 * if it has one, must be in that plan, or the hours given would count against another group's. */
static gboolean
check_lesson_plan_item (Writer          *w,
                        const ZhLesson  *value,
                        Result          *result,
                        GError         **error)
{
  sqlite3_stmt *stmt;
  g_autofree char *group_id = NULL;
  int rc;

  if (value->plan_item_id == NULL)
    return TRUE;
  stmt = zh_store_prepare (w->store, "SELECT group_id FROM plan_item WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, value->plan_item_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    group_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return zh_store_set_error (w->store, rc, "plan_item", error);
  if (group_id == NULL)
    return reject (result, "not_found", "plan_item_id",
                   _("There is no plan item with the id “%s” (field “plan_item_id”)."),
                   value->plan_item_id);
  if (g_strcmp0 (group_id, value->group_id) != 0)
    return reject (result, "invalid_value", "plan_item_id",
                   _("The plan item “%s” in “plan_item_id” belongs to the calendar plan of "
                     "another group; a lesson follows the plan of its own group."),
                   value->plan_item_id);
  return TRUE;
}

static gboolean
check_lesson (Writer      *w,
              ZhLesson    *current,
              ZhLesson    *value,
              Result      *result,
              GError     **error)
{
  const ZhLesson *row = value != NULL ? value : current;
  const GroupFacts *facts;
  ZhEditRequest request;
  gboolean substitutes = current != NULL && current->substitute &&
                         g_strcmp0 (current->teacher_id, w->staff_id) == 0;

  if (!check_group (w, row->group_id, "group_id", &facts, result, error))
    return FALSE;
  if (current != NULL && value != NULL && g_strcmp0 (current->group_id, value->group_id) != 0)
    return reject (result, "invalid_value", "group_id", "%s",
                   _("A lesson cannot move to another group."));

  if (value == NULL)
    {
      /* Removing a lesson is arranging the timetable: the group's teacher within the edit window
       * or the administration (002 §5.4); its marks and attendance keep it (constraint). */
      edit_request_init (w, &request, ZH_EDIT_SET_LESSON, facts, current->date, w->now);
      request.substitutes_lesson = substitutes;
      return may_edit (w, &request, NULL, result);
    }

  /* The times of entry are the service's to keep: a part not changed keeps its time. */
  if (current != NULL && g_strcmp0 (current->topic, value->topic) == 0)
    value->topic_entered_at = current->topic_entered_at;
  else if (value->topic[0] != '\0' && value->topic_entered_at == 0)
    value->topic_entered_at = w->now;
  if (current != NULL && g_strcmp0 (current->homework, value->homework) == 0)
    value->homework_entered_at = current->homework_entered_at;
  else if (value->homework[0] != '\0' && value->homework_entered_at == 0)
    value->homework_entered_at = w->now;

  if ((current == NULL || g_strcmp0 (current->plan_item_id, value->plan_item_id) != 0) &&
      !check_lesson_plan_item (w, value, result, error))
    return FALSE;

  /* The plan item a new topic brings is part of that topic, judged with it below at the time
   * the topic was entered; a plan item changed alone is a change of the lesson. */
  if (current == NULL || current->number != value->number || current->kind != value->kind ||
      g_strcmp0 (current->date, value->date) != 0 ||
      (g_strcmp0 (current->plan_item_id, value->plan_item_id) != 0 &&
       g_strcmp0 (current->topic, value->topic) == 0) ||
      g_strcmp0 (current->teacher_id, value->teacher_id) != 0 ||
      current->substitute != value->substitute)
    {
      edit_request_init (w, &request, ZH_EDIT_SET_LESSON, facts, value->date, w->now);
      request.substitutes_lesson = substitutes;
      if (!may_edit (w, &request, "date", result))
        return FALSE;
      /* Moving a lesson out of the edit window's reach is a change of the old date too. */
      if (current != NULL && g_strcmp0 (current->date, value->date) != 0)
        {
          request.date = current->date;
          if (!may_edit (w, &request, "date", result))
            return FALSE;
        }
    }
  if ((current == NULL && value->topic[0] != '\0') ||
      (current != NULL && g_strcmp0 (current->topic, value->topic) != 0))
    {
      if (!check_entered_at (w, value->topic_entered_at, "topic_entered_at", result))
        return FALSE;
      edit_request_init (w, &request, ZH_EDIT_SET_TOPIC, facts, value->date, value->topic_entered_at);
      request.substitutes_lesson = substitutes;
      if (!may_edit (w, &request, "topic", result))
        return FALSE;
    }
  if ((current == NULL && value->homework[0] != '\0') ||
      (current != NULL && g_strcmp0 (current->homework, value->homework) != 0))
    {
      if (!check_entered_at (w, value->homework_entered_at, "homework_entered_at", result))
        return FALSE;
      edit_request_init (w, &request, ZH_EDIT_SET_HOMEWORK, facts, value->date,
                         value->homework_entered_at);
      request.substitutes_lesson = substitutes;
      request.has_homework = current != NULL && current->homework[0] != '\0';
      if (!may_edit (w, &request, "homework", result))
        return FALSE;
    }

  g_free (value->entered_by);
  value->entered_by = g_strdup (w->staff_id);
  value->received_at = w->now;
  return TRUE;
}

/* The weight of a mark is its work type's weight in the school's policy when it is entered
 * (002 §5.2); the service sets it, so a client cannot weigh a mark otherwise. */
static gboolean
check_mark_value (Writer   *w,
                  ZhMark   *value,
                  Result   *result)
{
  g_autoptr(GError) error = NULL;
  double weight = 1.0;

  if (!zh_policy_check_mark_value (w->policy, value->value, FALSE, &error))
    return reject_policy (result, error, "value");
  if (!zh_policy_check_work_type (w->policy, value->work_type, &error))
    return reject_policy (result, error, "work_type");
  zh_policy_lookup_work_type (w->policy, value->work_type, NULL, NULL, &weight);
  value->weight = weight;
  return TRUE;
}

static gboolean
check_mark (Writer      *w,
            ZhMark      *current,
            ZhMark      *value,
            Result      *result,
            GError     **error)
{
  const ZhMark *row = value != NULL ? value : current;
  g_autoptr(ZhLesson) lesson = NULL;
  const GroupFacts *facts;
  ZhEditRequest request;
  gboolean substitutes;

  if (!lesson_of (w, row->lesson_id, &lesson, result, error) ||
      !check_group (w, lesson->group_id, "lesson_id", &facts, result, error))
    return FALSE;
  substitutes = lesson->substitute && g_strcmp0 (lesson->teacher_id, w->staff_id) == 0;

  if (value == NULL)
    {
      /* 002 §5.2: a mark is not deleted, except by its author within the undo grace, judged on
       * the service's clock (a delete carries no time of entry). */
      edit_request_init (w, &request, ZH_EDIT_DELETE_MARK, facts, lesson->date, w->now);
      request.substitutes_lesson = substitutes;
      request.own_mark = g_strcmp0 (current->entered_by, w->staff_id) == 0;
      request.mark_entered_at = current->entered_at;
      return may_edit (w, &request, NULL, result);
    }

  if (current != NULL && (g_strcmp0 (current->lesson_id, value->lesson_id) != 0 ||
                          g_strcmp0 (current->student_id, value->student_id) != 0))
    return reject (result, "invalid_value", "lesson_id", "%s",
                   _("A mark cannot move to another lesson or student."));
  if (value->state != ZH_MARK_STATE_ACTIVE || (current != NULL && current->state != ZH_MARK_STATE_ACTIVE))
    return reject (result, "mark_locked", "state", "%s",
                   _("A corrected mark stays as it is; only the school administration corrects "
                     "marks, with the action “correct”."));
  if (!check_member (w, lesson->group_id, value->student_id, lesson->date, result, error) ||
      !check_mark_value (w, value, result) ||
      !check_entered_at (w, value->entered_at, "entered_at", result))
    return FALSE;
  if (current != NULL && value->entered_at < current->entered_at)
    return reject (result, "invalid_value", "entered_at", "%s",
                   _("A change of a mark cannot be entered before the mark itself."));

  edit_request_init (w, &request, current == NULL ? ZH_EDIT_ADD_MARK : ZH_EDIT_CHANGE_MARK, facts,
                     lesson->date, value->entered_at);
  request.substitutes_lesson = substitutes;
  if (current != NULL)
    {
      request.own_mark = g_strcmp0 (current->entered_by, w->staff_id) == 0;
      request.mark_entered_at = current->entered_at;
    }
  if (!may_edit (w, &request, "value", result))
    return FALSE;

  g_free (value->entered_by);
  value->entered_by = g_strdup (w->staff_id);
  value->received_at = w->now;
  return TRUE;
}

static gboolean
is_reason (ZhAttendanceCode code)
{
  return code == ZH_ATTENDANCE_ILL || code == ZH_ATTENDANCE_VALID || code == ZH_ATTENDANCE_INVALID;
}

static gboolean
check_attendance (Writer        *w,
                  ZhAttendance  *current,
                  ZhAttendance  *value,
                  Result        *result,
                  GError       **error)
{
  const ZhAttendance *row = value != NULL ? value : current;
  g_autoptr(ZhLesson) lesson = NULL;
  g_autoptr(GError) policy_error = NULL;
  const GroupFacts *facts;
  ZhEditRequest request;
  gboolean class_teacher = FALSE;

  if (!lesson_of (w, row->lesson_id, &lesson, result, error) ||
      !check_group (w, lesson->group_id, "lesson_id", &facts, result, error))
    return FALSE;

  if (value == NULL)
    {
      edit_request_init (w, &request, ZH_EDIT_CLEAR_ABSENCE, facts, lesson->date, w->now);
      request.substitutes_lesson = lesson->substitute && g_strcmp0 (lesson->teacher_id, w->staff_id) == 0;
      return may_edit (w, &request, NULL, result);
    }

  if (current != NULL && (g_strcmp0 (current->lesson_id, value->lesson_id) != 0 ||
                          g_strcmp0 (current->student_id, value->student_id) != 0))
    return reject (result, "invalid_value", "lesson_id", "%s",
                   _("An attendance record cannot move to another lesson or student."));
  if (!zh_policy_check_attendance_code (w->policy, zh_enum_to_nick (ZH_TYPE_ATTENDANCE_CODE, value->code),
                                        NULL, &policy_error))
    return reject_policy (result, policy_error, "code");
  if (!check_member (w, lesson->group_id, value->student_id, lesson->date, result, error) ||
      !check_entered_at (w, value->entered_at, "entered_at", result))
    return FALSE;

  /* An absence is recorded by the lesson's teacher; its reason by the class teacher (002 §5.3). */
  if (is_reason (value->code) &&
      !is_class_teacher_of (w, value->student_id, lesson->date, &class_teacher, error))
    return FALSE;
  edit_request_init (w, &request, is_reason (value->code) ? ZH_EDIT_SET_ABSENCE_REASON : ZH_EDIT_SET_ABSENCE,
                     facts, lesson->date, value->entered_at);
  request.substitutes_lesson = lesson->substitute && g_strcmp0 (lesson->teacher_id, w->staff_id) == 0;
  request.is_class_teacher_of_student = class_teacher;
  if (!may_edit (w, &request, "code", result))
    return FALSE;

  g_free (value->entered_by);
  value->entered_by = g_strdup (w->staff_id);
  value->received_at = w->now;
  return TRUE;
}

/* The last day a period mark belongs to: its period's end, or the year's end for year, exam and
 * final marks. */
static gboolean
period_mark_date (Writer              *w,
                  const ZhPeriodMark  *row,
                  const GroupFacts    *facts,
                  char               **date,
                  Result              *result,
                  GError             **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (row->kind != ZH_PERIOD_MARK_KIND_PERIOD || row->period_id == NULL)
    {
      *date = g_strdup (facts->year_end);
      return TRUE;
    }
  stmt = zh_store_prepare (w->store, "SELECT p.ends FROM period p JOIN academic_year y ON y.id = p.year_id "
                                     "WHERE p.id = ?1 AND y.school_id = ?2", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, row->period_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, w->school_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *date = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return zh_store_set_error (w->store, rc, "period", error);
  if (*date == NULL)
    return reject (result, "not_found", "period_id", _("There is no period with the id “%s”."),
                   row->period_id);
  return TRUE;
}

/* Another active period mark of the same student, group, kind and period: giving a second one is
 * changing the first. */
static gboolean
other_period_mark (Writer              *w,
                   const ZhPeriodMark  *value,
                   char               **entered_by,
                   gint64              *entered_at,
                   gboolean            *found,
                   GError             **error)
{
  sqlite3_stmt *stmt = zh_store_prepare (w->store,
                                         "SELECT entered_by, entered_at FROM period_mark WHERE student_id = ?1 "
                                         "AND group_id = ?2 AND kind = ?3 AND period_id IS ?4 AND id != ?5 "
                                         "AND state = 'active' LIMIT 1", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, value->student_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, value->group_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, zh_enum_to_nick (ZH_TYPE_PERIOD_MARK_KIND, value->kind), -1, SQLITE_STATIC);
  if (value->period_id != NULL)
    sqlite3_bind_text (stmt, 4, value->period_id, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 4);
  sqlite3_bind_text (stmt, 5, value->id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  *found = rc == SQLITE_ROW;
  if (rc == SQLITE_ROW)
    {
      *entered_by = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      *entered_at = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return zh_store_set_error (w->store, rc, "period mark", error);
  return TRUE;
}

static gboolean
check_period_mark (Writer        *w,
                   ZhPeriodMark  *current,
                   ZhPeriodMark  *value,
                   Result        *result,
                   GError       **error)
{
  const ZhPeriodMark *row = value != NULL ? value : current;
  g_autoptr(GError) policy_error = NULL;
  g_autofree char *date = NULL;
  g_autofree char *other_by = NULL;
  const GroupFacts *facts;
  ZhEditRequest request;
  gboolean other = FALSE;
  gint64 other_at = 0;

  if (!check_group (w, row->group_id, "group_id", &facts, result, error) ||
      !period_mark_date (w, row, facts, &date, result, error))
    return FALSE;

  if (value == NULL)
    {
      edit_request_init (w, &request, ZH_EDIT_SET_PERIOD_MARK, facts, date, w->now);
      request.replaces_mark = TRUE;
      request.own_mark = g_strcmp0 (current->entered_by, w->staff_id) == 0;
      request.mark_entered_at = current->entered_at;
      return may_edit (w, &request, NULL, result);
    }

  if (current != NULL && (g_strcmp0 (current->student_id, value->student_id) != 0 ||
                          g_strcmp0 (current->group_id, value->group_id) != 0 ||
                          g_strcmp0 (current->period_id, value->period_id) != 0 ||
                          current->kind != value->kind))
    return reject (result, "invalid_value", "student_id", "%s",
                   _("A period mark cannot move to another student, group or period."));
  if (value->state != ZH_MARK_STATE_ACTIVE || (current != NULL && current->state != ZH_MARK_STATE_ACTIVE))
    return reject (result, "mark_locked", "state", "%s",
                   _("A corrected mark stays as it is; only the school administration corrects "
                     "marks, with the action “correct”."));
  if (!zh_policy_check_mark_value (w->policy, value->value, TRUE, &policy_error))
    return reject_policy (result, policy_error, "value");
  if (!check_entered_at (w, value->entered_at, "entered_at", result))
    return FALSE;
  if (current == NULL && !other_period_mark (w, value, &other_by, &other_at, &other, error))
    return FALSE;

  edit_request_init (w, &request, ZH_EDIT_SET_PERIOD_MARK, facts, date, value->entered_at);
  if (current != NULL)
    {
      request.replaces_mark = TRUE;
      request.own_mark = g_strcmp0 (current->entered_by, w->staff_id) == 0;
      request.mark_entered_at = current->entered_at;
    }
  else if (other)
    {
      request.replaces_mark = TRUE;
      request.own_mark = g_strcmp0 (other_by, w->staff_id) == 0;
      request.mark_entered_at = other_at;
    }
  if (!may_edit (w, &request, "value", result))
    return FALSE;
  /* One period mark per student, group and period (000 §7): a second one is a change of the
   * first, made on the first's id. */
  if (other)
    return reject (result, "duplicate", "id", "%s",
                   _("The student has this period mark already; change that one instead of adding "
                     "another."));

  g_free (value->entered_by);
  value->entered_by = g_strdup (w->staff_id);
  value->received_at = w->now;
  return TRUE;
}

/* The КТП of a group is kept by its teacher (002 §5.2) or the administrator. */
static gboolean
check_plan_item (Writer      *w,
                 ZhPlanItem  *current,
                 ZhPlanItem  *value,
                 Result      *result,
                 GError     **error)
{
  const ZhPlanItem *row = value != NULL ? value : current;
  const GroupFacts *facts;

  if (!check_group (w, row->group_id, "group_id", &facts, result, error))
    return FALSE;
  if (current != NULL && value != NULL && g_strcmp0 (current->group_id, value->group_id) != 0)
    return reject (result, "invalid_value", "group_id", "%s",
                   _("A plan item cannot move to another group."));
  if ((w->roles & ZH_ROLE_ADMIN) != 0 || g_strcmp0 (facts->teacher_id, w->staff_id) == 0)
    return TRUE;
  return reject (result, "not_own_group", "group_id", "%s",
                 _("The calendar plan of a group is kept by its teacher or the administrator."));
}

/* Years, periods, classes, students, staff, subjects, groups, members, curriculum and the
 * timetable are the administrator's (REQUIREMENTS §1; 000 §5.3, 004 §4.1). */
static gboolean
check_admin_entity (Writer              *w,
                    const ZhEntityInfo  *info,
                    gpointer             value,
                    Result              *result)
{
  if ((w->roles & ZH_ROLE_ADMIN) == 0)
    return reject (result, "forbidden", NULL,
                   _("Only the administrator manages the rows of “%s”."), info->name);
  if (info == &zh_school_info && value != NULL)
    {
      ZhSchool *school = value;
      g_autoptr(ZhPolicy) policy = NULL;
      g_autoptr(GError) error = NULL;

      if (g_strcmp0 (school->id, w->school_id) != 0)
        return reject (result, "forbidden", "id", "%s", _("The row belongs to another school."));
      policy = zh_policy_new_from_json (school->policy, &error);
      if (policy == NULL)
        return reject_policy (result, error, "policy");
    }
  return TRUE;
}

/* ---- decoding ------------------------------------------------------------------------------ */

/* The member of @object the model's @error is about: the decoder's message names it for people;
 * the API also names it in `field`, so find it again by the same rules. */
static const char *
model_error_field (const ZhEntityInfo *info,
                   JsonObject         *object,
                   const GError       *error)
{
  g_autoptr(GList) members = json_object_get_members (object);

  /* The names are the request's own strings, which live as long as the request. */
  if (error->code == ZH_MODEL_ERROR_UNKNOWN_FIELD)
    {
      for (GList *l = members; l != NULL; l = l->next)
        if (zh_entity_info_find_field (info, l->data) == NULL)
          return l->data;
      return NULL;
    }
  if (error->code == ZH_MODEL_ERROR_MISSING_FIELD)
    {
      for (guint i = 0; i < info->n_fields; i++)
        {
          const ZhField *field = &info->fields[i];
          JsonNode *member = json_object_get_member (object, field->name);

          if ((member == NULL || JSON_NODE_HOLDS_NULL (member)) && (field->flags & ZH_FIELD_REQUIRED) != 0 &&
              (field->flags & ZH_FIELD_SERVER) == 0)
            return field->name;
        }
      return NULL;
    }
  /* The decoder stops at the first bad field in field order: decode the first k fields alone,
   * growing k; the first prefix that fails with a wrong type or value ends at the culprit. */
  {
    g_autoptr(JsonObject) prefix = json_object_new ();

    for (guint i = 0; i < info->n_fields; i++)
      {
        const ZhField *field = &info->fields[i];
        JsonNode *member = json_object_get_member (object, field->name);
        g_autoptr(JsonNode) node = NULL;
        g_autoptr(GError) local = NULL;
        gpointer decoded;

        if (member == NULL)
          continue;
        json_object_set_member (prefix, field->name, json_node_copy (member));
        node = json_node_init_object (json_node_alloc (), prefix);
        decoded = zh_entity_from_json (info, node, &local);
        zh_entity_free (info, decoded);
        if (decoded == NULL &&
            (local->code == ZH_MODEL_ERROR_WRONG_TYPE || local->code == ZH_MODEL_ERROR_INVALID_VALUE))
          return field->name;
      }
  }
  return NULL;
}

static const char *
model_error_code (const GError *error)
{
  switch (error->code)
    {
    case ZH_MODEL_ERROR_MISSING_FIELD:
      return "missing_field";
    case ZH_MODEL_ERROR_UNKNOWN_FIELD:
      return "unknown_field";
    case ZH_MODEL_ERROR_INVALID_VALUE:
      return "invalid_value";
    case ZH_MODEL_ERROR_NOT_OBJECT:
    case ZH_MODEL_ERROR_WRONG_TYPE:
    default:
      return "wrong_type";
    }
}

/* Decode @node as a row of @info; NULL with @result rejected when it is not one. */
static gpointer
decode_value (const ZhEntityInfo *info,
              JsonNode           *node,
              Result             *result)
{
  g_autoptr(GError) error = NULL;
  gpointer entity;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      reject (result, "missing_field", "value", _("The operation lacks the row in “value”."));
      return NULL;
    }
  entity = zh_entity_from_json (info, node, &error);
  if (entity == NULL)
    {
      const char *field = NULL;

      if (error->domain == ZH_MODEL_ERROR)
        field = model_error_field (info, json_node_get_object (node), error);
      reject (result, model_error_code (error), field, "%s", error->message);
    }
  return entity;
}

/* ---- writing ------------------------------------------------------------------------------- */

/* Append one entry to the audit log (001 §6.3): who, when, what, and the row before and after. */
static gboolean
audit_row (Writer      *w,
           const char  *entity,
           const char  *entity_id,
           const char  *action,
           const char  *before,
           const char  *after,
           GError     **error)
{
  sqlite3_stmt *stmt = zh_store_prepare (w->store,
                                         "INSERT INTO audit (at, staff_id, entity, entity_id, action, before, after) "
                                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, w->now);
  sqlite3_bind_text (stmt, 2, w->staff_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, entity, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, entity_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, action, -1, SQLITE_STATIC);
  if (before != NULL)
    sqlite3_bind_text (stmt, 6, before, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 6);
  if (after != NULL)
    sqlite3_bind_text (stmt, 7, after, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 7);
  return zh_store_step_done (w->store, stmt, error);
}

/* Store @value as a row of @info, give it its rev and feed entry, and audit it. A row that breaks
 * the schema (a reference to nothing, a duplicate) or lands in another school is refused. */
static gboolean
store_row (Writer              *w,
           const ZhEntityInfo  *info,
           gpointer             value,
           const char          *before,
           const char          *action,
           gint64              *rev,
           Result              *result,
           GError             **error)
{
  ZhEntity *row = value;
  g_autoptr(GError) local = NULL;
  g_autofree char *school = NULL;
  g_autofree char *after = NULL;

  if (!zh_store_put_entity (w->store, info, value, &local))
    {
      if (g_error_matches (local, ZH_STORE_ERROR, ZH_STORE_ERROR_CONSTRAINT))
        return reject (result, "constraint", NULL,
                       _("The %s breaks a rule of the journal: it refers to a row that does not "
                         "exist, repeats one that does, or has values that do not fit together."),
                       info->name);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  school = row_school (w, info, row->id, error);
  if (school == NULL && error != NULL && *error != NULL)
    return FALSE;
  if (g_strcmp0 (school, w->school_id) != 0)
    return reject (result, "forbidden", NULL, "%s", _("The row would belong to another school."));
  if (!zh_server_store_record_change (w->store, info, row->id, w->school_id, FALSE, rev, error))
    return FALSE;
  row->rev = *rev;
  after = zh_entity_to_string (info, value);
  return audit_row (w, info->name, row->id, action, before, after, error);
}

/* Action "correct" (002 §7, REQUIREMENTS §4): the target mark keeps its value and becomes
 * 'corrected' (left out of averages), the replacement is a new active mark in the same cell, and a
 * correction row (id = the op_id) keeps old and new value, reason, document, who and when. */
static gboolean
apply_correction (Writer              *w,
                  const Operation     *op,
                  const ZhEntityInfo  *info,
                  gpointer             current,
                  Result              *result,
                  GError             **error)
{
  gboolean is_mark = info == &zh_mark_info;
  ZhMark *old_mark = is_mark ? current : NULL;
  ZhPeriodMark *old_period = is_mark ? NULL : current;
  g_autofree char *before = zh_entity_to_string (info, current);
  g_autoptr(ZhCorrection) correction = zh_correction_new ();
  g_autoptr(GError) policy_error = NULL;
  g_autoptr(GError) local = NULL;
  gpointer replacement_found;
  gpointer value;
  ZhEditRequest request = { 0 };
  int reason = -1;
  gint64 rev = 0;
  gint64 ignored;
  gboolean ok = FALSE;

  /* Refusals are answers, so they return TRUE like an applied correction; FALSE is a failure. */
  if ((is_mark ? old_mark->state : old_period->state) != ZH_MARK_STATE_ACTIVE)
    {
      reject (result, "already_corrected", NULL, "%s",
              _("This mark has been corrected already; correct the mark that replaced it."));
      return TRUE;
    }

  request.kind = ZH_EDIT_CORRECT_MARK;
  request.roles = w->roles;
  request.now = w->now;
  request.correction_reason = op->reason != NULL &&
                              zh_enum_from_nick (ZH_TYPE_CORRECTION_REASON, op->reason, &reason)
                              ? (ZhCorrectionReason) reason : (ZhCorrectionReason) G_MAXINT;
  request.correction_document = op->document;
  if (!zh_policy_may_edit (w->policy, &request, &policy_error))
    {
      reject_policy (result, policy_error,
                     policy_error->code == ZH_POLICY_ERROR_CORRECTION_DOCUMENT ? "correction.document"
                     : policy_error->code == ZH_POLICY_ERROR_CORRECTION_REASON ? "correction.reason" : NULL);
      return TRUE;
    }

  value = decode_value (info, op->value, result);
  if (value == NULL)
    return TRUE;

  if (g_strcmp0 (((ZhEntity *) value)->id, op->id) == 0)
    {
      reject (result, "invalid_value", "id", "%s",
              _("The corrected mark needs an id of its own; the old mark keeps its id."));
      goto out;
    }
  replacement_found = zh_store_get_entity (w->store, info, ((ZhEntity *) value)->id, &local);
  if (replacement_found != NULL)
    {
      zh_entity_free (info, replacement_found);
      reject (result, "invalid_value", "id", "%s",
              _("The id of the corrected mark is taken by another row."));
      goto out;
    }
  if (!g_error_matches (local, ZH_STORE_ERROR, ZH_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      goto out;
    }

  if (is_mark)
    {
      ZhMark *mark = value;

      if (g_strcmp0 (mark->lesson_id, old_mark->lesson_id) != 0 ||
          g_strcmp0 (mark->student_id, old_mark->student_id) != 0 || mark->part != old_mark->part)
        {
          reject (result, "invalid_value", "lesson_id", "%s",
                  _("A correction replaces a mark in the same cell: same lesson, student and part."));
          goto out;
        }
      if (!check_mark_value (w, mark, result))
        goto out;
      mark->state = ZH_MARK_STATE_ACTIVE;
      g_free (mark->entered_by);
      mark->entered_by = g_strdup (w->staff_id);
      mark->entered_at = w->now;
      mark->received_at = w->now;
      old_mark->state = ZH_MARK_STATE_CORRECTED;
      correction->old_value = g_strdup (old_mark->value);
      correction->new_value = g_strdup (mark->value);
      correction->target_kind = ZH_CORRECTION_TARGET_MARK;
    }
  else
    {
      ZhPeriodMark *mark = value;

      if (g_strcmp0 (mark->student_id, old_period->student_id) != 0 ||
          g_strcmp0 (mark->group_id, old_period->group_id) != 0 ||
          g_strcmp0 (mark->period_id, old_period->period_id) != 0 || mark->kind != old_period->kind)
        {
          reject (result, "invalid_value", "student_id", "%s",
                  _("A correction replaces a period mark of the same student, group and period."));
          goto out;
        }
      if (!zh_policy_check_mark_value (w->policy, mark->value, TRUE, &policy_error))
        {
          reject_policy (result, policy_error, "value");
          goto out;
        }
      mark->state = ZH_MARK_STATE_ACTIVE;
      g_free (mark->entered_by);
      mark->entered_by = g_strdup (w->staff_id);
      mark->entered_at = w->now;
      mark->received_at = w->now;
      old_period->state = ZH_MARK_STATE_CORRECTED;
      correction->old_value = g_strdup (old_period->value);
      correction->new_value = g_strdup (mark->value);
      correction->target_kind = ZH_CORRECTION_TARGET_PERIOD_MARK;
    }

  correction->id = g_strdup (op->op_id);
  correction->target_id = g_strdup (op->id);
  correction->reason = (ZhCorrectionReason) reason;
  correction->document = g_strstrip (g_strdup (op->document));
  correction->authorised_by = g_strdup (w->staff_id);
  correction->at = w->now;

  ok = store_row (w, info, current, before, "correct", &rev, result, error) &&
       store_row (w, info, value, NULL, "create", &ignored, result, error) &&
       store_row (w, &zh_correction_info, correction, NULL, "create", &ignored, result, error);
  if (ok)
    result->rev = rev;

out:
  zh_entity_free (info, value);
  return ok || *error == NULL;
}

/* Apply one operation inside its savepoint. Returns FALSE only on a failure of the database
 * (the whole batch is then undone); a refusal or a conflict is in @result. */
static gboolean
apply_operation (Writer           *w,
                 const Operation  *op,
                 Result           *result,
                 GError          **error)
{
  const ZhEntityInfo *info = zh_entity_info_lookup (op->entity);
  g_autoptr(GError) local = NULL;
  g_autofree char *school = NULL;
  g_autofree char *before = NULL;
  gpointer current = NULL;
  gpointer value = NULL;
  gboolean ok;
  gint64 rev = 0;

  result->status = RESULT_APPLIED;
  if (info == NULL)
    {
      reject (result, "unknown_entity", "entity", _("There is no entity “%s”."), op->entity);
      return TRUE;
    }
  if (info == &zh_correction_info)
    {
      reject (result, "forbidden", "entity", "%s",
              _("Corrections are made with the action “correct” on the mark."));
      return TRUE;
    }
  if (op->action == ACTION_CORRECT && info != &zh_mark_info && info != &zh_period_mark_info)
    {
      reject (result, "invalid_value", "action", "%s", _("Only marks and period marks are corrected."));
      return TRUE;
    }

  current = zh_store_get_entity (w->store, info, op->id, &local);
  if (current == NULL && !g_error_matches (local, ZH_STORE_ERROR, ZH_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (current != NULL)
    {
      school = row_school (w, info, op->id, error);
      if (school == NULL && *error != NULL)
        goto failed;
      if (g_strcmp0 (school, w->school_id) != 0)
        {
          reject (result, "forbidden", "id", "%s", _("The row belongs to another school."));
          goto done;
        }
    }

  /* A stale base_rev is a conflict before any rule is checked: the rules judge the row as the
   * client saw it, and the client must first see the service's row. */
  if (current == NULL && op->base_rev != 0)
    {
      result->status = RESULT_CONFLICT;
      goto done;
    }
  if (current != NULL && op->base_rev != ((ZhEntity *) current)->rev)
    {
      result->status = RESULT_CONFLICT;
      result->current = zh_entity_to_string (info, current);
      goto done;
    }
  if (current == NULL && op->action != ACTION_PUT)
    {
      reject (result, "not_found", "id", _("There is no %s with the id “%s”."), info->name, op->id);
      goto done;
    }

  if (op->action == ACTION_CORRECT)
    {
      ok = apply_correction (w, op, info, current, result, error);
      zh_entity_free (info, current);
      return ok;
    }

  if (op->action == ACTION_PUT)
    {
      value = decode_value (info, op->value, result);
      if (value == NULL)
        goto done;
      if (g_strcmp0 (((ZhEntity *) value)->id, op->id) != 0)
        {
          reject (result, "invalid_value", "id", "%s",
                  _("The row’s “id” differs from the operation’s “id”."));
          goto done;
        }
    }

  if (info == &zh_lesson_info)
    ok = check_lesson (w, current, value, result, error);
  else if (info == &zh_mark_info)
    ok = check_mark (w, current, value, result, error);
  else if (info == &zh_attendance_info)
    ok = check_attendance (w, current, value, result, error);
  else if (info == &zh_period_mark_info)
    ok = check_period_mark (w, current, value, result, error);
  else if (info == &zh_plan_item_info)
    ok = check_plan_item (w, current, value, result, error);
  else
    ok = check_admin_entity (w, info, value, result);
  if (!ok)
    {
      if (*error != NULL)
        goto failed;
      goto done;
    }

  if (current != NULL)
    before = zh_entity_to_string (info, current);
  if (op->action == ACTION_DELETE)
    {
      if (!zh_store_delete_entity (w->store, info, op->id, &local))
        {
          if (g_error_matches (local, ZH_STORE_ERROR, ZH_STORE_ERROR_CONSTRAINT))
            {
              reject (result, "constraint", "id",
                      _("The %s cannot be removed: other rows refer to it."), info->name);
              goto done;
            }
          g_propagate_error (error, g_steal_pointer (&local));
          goto failed;
        }
      if (!zh_server_store_record_change (w->store, info, op->id, w->school_id, TRUE, &rev, error) ||
          !audit_row (w, info->name, op->id, "delete", before, NULL, error))
        goto failed;
      result->rev = rev;
    }
  else
    {
      if (!store_row (w, info, value, before, current != NULL ? "update" : "create", &rev, result, error))
        {
          if (*error != NULL)
            goto failed;
          goto done;
        }
      result->rev = rev;
    }

done:
  if (current != NULL)
    zh_entity_free (info, current);
  if (value != NULL)
    zh_entity_free (info, value);
  return TRUE;

failed:
  if (current != NULL)
    zh_entity_free (info, current);
  if (value != NULL)
    zh_entity_free (info, value);
  return FALSE;
}

/* ---- the batch route ----------------------------------------------------------------------- */

static void
write_result (GString         *out,
              const Operation *op,
              const Result    *result)
{
  g_autoptr(ZhJsonWriter) writer = zh_json_writer_new (out);

  zh_json_writer_begin_object (writer);
  zh_json_writer_key (writer, "op_id");
  zh_json_writer_string (writer, op->op_id);
  zh_json_writer_key (writer, "status");
  switch (result->status)
    {
    case RESULT_APPLIED:
      zh_json_writer_string (writer, "applied");
      zh_json_writer_key (writer, "rev");
      zh_json_writer_int (writer, result->rev);
      break;
    case RESULT_REJECTED:
      zh_json_writer_string (writer, "rejected");
      zh_json_writer_key (writer, "code");
      zh_json_writer_string (writer, result->code);
      zh_json_writer_key (writer, "message");
      zh_json_writer_string (writer, result->message);
      zh_json_writer_key (writer, "field");
      zh_json_writer_string (writer, result->field);
      break;
    case RESULT_CONFLICT:
      zh_json_writer_string (writer, "conflict");
      zh_json_writer_key (writer, "current");
      if (result->current != NULL)
        zh_json_writer_raw (writer, result->current);
      else
        zh_json_writer_null (writer);
      break;
    default:
      g_assert_not_reached ();
    }
  zh_json_writer_end_object (writer);
}

/* The first answer to @op_id, or NULL; an op_id another person used is refused, not answered. */
static gboolean
op_log_lookup (Writer      *w,
               const char  *op_id,
               char       **answer,
               char       **staff_id,
               GError     **error)
{
  sqlite3_stmt *stmt = zh_store_prepare (w->store, "SELECT answer, staff_id FROM op_log WHERE op_id = ?1", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, op_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *answer = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      *staff_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return zh_store_set_error (w->store, rc, "op_log", error);
  return TRUE;
}

static gboolean
op_log_add (Writer      *w,
            const char  *op_id,
            const char  *answer,
            GError     **error)
{
  sqlite3_stmt *stmt = zh_store_prepare (w->store, "INSERT INTO op_log (op_id, staff_id, at, answer) "
                                                   "VALUES (?1, ?2, ?3, ?4)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, op_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, w->staff_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, w->now);
  sqlite3_bind_text (stmt, 4, answer, -1, SQLITE_TRANSIENT);
  return zh_store_step_done (w->store, stmt, error);
}

/* The school's policy; a policy the database holds but this build cannot read falls back to the
 * defaults (logged), so the journal stays writable. */
static ZhPolicy *
load_policy (ZhStore     *store,
             const char  *school_id)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = zh_store_prepare (store, "SELECT policy FROM school WHERE id = ?1", &error);
  ZhPolicy *policy = NULL;

  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, school_id, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        policy = zh_policy_new_from_json ((const char *) sqlite3_column_text (stmt, 0), &error);
      sqlite3_reset (stmt);
    }
  if (policy == NULL)
    {
      if (error != NULL)
        g_warning ("the policy of school %s cannot be used: %s", school_id, error->message);
      policy = zh_policy_new_default ();
    }
  return policy;
}

static void
writer_init (Writer          *w,
             ZhServerRequest *request,
             ZhStore         *store)
{
  w->request = request;
  w->store = store;
  w->now = now_seconds ();
  w->staff_id = request->session.staff_id;
  w->school_id = request->session.school_id;
  w->roles = request->session.roles;
  w->policy = load_policy (store, w->school_id);
  w->groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, group_facts_free);
}

static void
writer_clear (Writer *w)
{
  g_clear_pointer (&w->policy, zh_policy_unref);
  g_clear_pointer (&w->groups, g_hash_table_unref);
}

static void
batch_write (ZhServerRequest *request,
             ZhStore         *store)
{
  GArray *ops = request->data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) answers = g_string_sized_new (64 * ops->len + 64);
  Writer w = { 0 };
  ZhJsonWriter *writer;

  writer_init (&w, request, store);
  if (!zh_store_lock (store, &error))
    goto failed;

  g_string_append (answers, "{\"results\":[");
  for (guint i = 0; i < ops->len; i++)
    {
      const Operation *op = &g_array_index (ops, Operation, i);
      g_autofree char *stored = NULL;
      g_autofree char *stored_by = NULL;
      g_autoptr(GString) answer = g_string_new (NULL);
      Result result = { 0 };

      if (i > 0)
        g_string_append_c (answers, ',');
      if (!op_log_lookup (&w, op->op_id, &stored, &stored_by, &error))
        goto rollback;
      if (stored != NULL && g_strcmp0 (stored_by, w.staff_id) == 0)
        {
          /* At most once: the first answer again, nothing applied. */
          g_string_append (answers, stored);
          continue;
        }
      if (stored != NULL)
        {
          reject (&result, "duplicate_op_id", "op_id", "%s",
                  _("This operation id was used by someone else; make a new one."));
          write_result (answers, op, &result);
          result_clear (&result);
          continue;
        }

      if (!zh_store_lock (store, &error))
        goto rollback;
      if (!apply_operation (&w, op, &result, &error))
        {
          result_clear (&result);
          zh_store_unlock (store, ZH_STORE_UNLOCK_ROLLBACK, NULL);
          goto rollback;
        }
      if (!zh_store_unlock (store, result.status == RESULT_APPLIED ? ZH_STORE_UNLOCK_COMMIT
                                                                    : ZH_STORE_UNLOCK_ROLLBACK, &error))
        {
          result_clear (&result);
          goto rollback;
        }
      write_result (answer, op, &result);
      result_clear (&result);
      if (!op_log_add (&w, op->op_id, answer->str, &error))
        goto rollback;
      g_string_append_len (answers, answer->str, answer->len);
    }
  g_string_append (answers, "]}");

  if (!zh_store_unlock (store, ZH_STORE_UNLOCK_COMMIT, &error))
    goto failed;
  _zh_server_set_last_rev (request->server, zh_server_store_get_last_rev (store));
  writer_clear (&w);

  writer = zh_server_request_begin_answer (request, SOUP_STATUS_OK);
  zh_json_writer_free (writer);
  g_string_append_len (request->answer, answers->str, answers->len);
  return;

rollback:
  zh_store_unlock (store, ZH_STORE_UNLOCK_ROLLBACK, NULL);
failed:
  writer_clear (&w);
  zh_server_request_store_error (request, error);
}

static gboolean
envelope_error (ZhServerRequest *request,
                guint            index,
                const char      *member,
                const char      *code,
                const char      *message)
{
  g_autofree char *field = g_strdup_printf ("operations[%u].%s", index, member);

  zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST, code, field, "%s: %s", field, message);
  return FALSE;
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* Check the shape of one operation (openapi.yaml, Operation) into @op. */
static gboolean
parse_operation (ZhServerRequest *request,
                 guint            index,
                 JsonNode        *node,
                 Operation       *op)
{
  static const char * const members[] = { "op_id", "entity", "action", "id", "base_rev", "value",
                                          "correction", NULL };
  JsonObject *object;
  JsonNode *base_rev;
  JsonNode *correction;
  const char *action;
  g_autoptr(GList) names = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return envelope_error (request, index, "op_id", "wrong_type", _("an operation must be a JSON object"));
  object = json_node_get_object (node);
  names = json_object_get_members (object);
  for (GList *l = names; l != NULL; l = l->next)
    if (!g_strv_contains (members, l->data))
      return envelope_error (request, index, l->data, "unknown_field", _("an operation has no such member"));

  op->op_id = string_member (object, "op_id");
  if (op->op_id == NULL || !zh_uuid_is_valid (op->op_id))
    return envelope_error (request, index, "op_id", op->op_id == NULL ? "missing_field" : "invalid_value",
                           _("every operation needs an “op_id”, a UUID made by the client"));
  op->entity = string_member (object, "entity");
  if (op->entity == NULL)
    return envelope_error (request, index, "entity", "missing_field", _("the entity must be named"));
  action = string_member (object, "action");
  if (g_strcmp0 (action, "put") == 0)
    op->action = ACTION_PUT;
  else if (g_strcmp0 (action, "delete") == 0)
    op->action = ACTION_DELETE;
  else if (g_strcmp0 (action, "correct") == 0)
    op->action = ACTION_CORRECT;
  else
    return envelope_error (request, index, "action", action == NULL ? "missing_field" : "invalid_value",
                           _("the action must be “put”, “delete” or “correct”"));
  op->id = string_member (object, "id");
  if (op->id == NULL || !zh_uuid_is_valid (op->id))
    return envelope_error (request, index, "id", op->id == NULL ? "missing_field" : "invalid_value",
                           _("the row’s “id” must be a UUID"));
  base_rev = json_object_get_member (object, "base_rev");
  if (base_rev == NULL || !JSON_NODE_HOLDS_VALUE (base_rev) || json_node_get_value_type (base_rev) != G_TYPE_INT64 ||
      json_node_get_int (base_rev) < 0)
    return envelope_error (request, index, "base_rev", base_rev == NULL ? "missing_field" : "invalid_value",
                           _("“base_rev” must be a whole number from 0"));
  op->base_rev = json_node_get_int (base_rev);

  op->value = json_object_get_member (object, "value");
  if (op->value != NULL && JSON_NODE_HOLDS_NULL (op->value))
    op->value = NULL;
  if (op->value != NULL && !JSON_NODE_HOLDS_OBJECT (op->value))
    return envelope_error (request, index, "value", "wrong_type", _("the row must be a JSON object"));
  if (op->action != ACTION_DELETE && op->value == NULL)
    return envelope_error (request, index, "value", "missing_field", _("“put” and “correct” carry the row"));
  if (op->action == ACTION_DELETE && op->value != NULL)
    return envelope_error (request, index, "value", "unknown_field", _("“delete” carries no row"));

  correction = json_object_get_member (object, "correction");
  if (op->action != ACTION_CORRECT)
    {
      if (correction != NULL)
        return envelope_error (request, index, "correction", "unknown_field",
                               _("only “correct” carries a correction"));
      return TRUE;
    }
  if (correction == NULL || !JSON_NODE_HOLDS_OBJECT (correction))
    return envelope_error (request, index, "correction", correction == NULL ? "missing_field" : "wrong_type",
                           _("“correct” needs the correction’s reason and document"));
  {
    JsonObject *c = json_node_get_object (correction);
    g_autoptr(GList) c_names = json_object_get_members (c);

    for (GList *l = c_names; l != NULL; l = l->next)
      if (!g_str_equal (l->data, "reason") && !g_str_equal (l->data, "document"))
        return envelope_error (request, index, "correction", "unknown_field",
                               _("a correction has only “reason” and “document”"));
    op->reason = string_member (c, "reason");
    op->document = string_member (c, "document");
    if ((json_object_has_member (c, "reason") && op->reason == NULL) ||
        (json_object_has_member (c, "document") && op->document == NULL))
      return envelope_error (request, index, "correction", "wrong_type",
                             _("the reason and the document are strings"));
  }
  return TRUE;
}

/* _zh_server_batch_start: the first stage of POST /batch (read pool): check the envelope, then
 * hand the operations to the writer. A malformed envelope is a 400 and nothing is applied; what
 * is wrong inside one operation's entity or row is that operation's `rejected` answer. */
void
_zh_server_batch_start (ZhServerRequest *request,
                        ZhStore         *store)
{
  JsonObject *body = json_node_get_object (request->json);
  JsonNode *node = json_object_get_member (body, "operations");
  g_autoptr(GList) names = json_object_get_members (body);
  g_autoptr(GArray) ops = NULL;
  JsonArray *array;
  guint n;

  if (g_hash_table_size (request->query) > 0)
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, request->query);
      g_hash_table_iter_next (&iter, &key, NULL);
      zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST, "unknown_parameter", key,
                               _("This route has no query parameter “%s”."), (const char *) key);
      return;
    }
  for (GList *l = names; l != NULL; l = l->next)
    if (!g_str_equal (l->data, "operations"))
      {
        zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST, "unknown_field", l->data,
                                 _("The body has a member “%s” this route does not take."),
                                 (const char *) l->data);
        return;
      }
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST,
                               node == NULL ? "missing_field" : "wrong_type", "operations",
                               _("The body must have “operations”, an array of operations."));
      return;
    }
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n == 0)
    {
      zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST, "invalid_value", "operations",
                               _("The batch has no operations."));
      return;
    }
  if (n > MAX_OPERATIONS)
    {
      zh_server_request_error (request, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_large", "operations",
                               _("A batch carries at most %d operations; this one has %u."),
                               MAX_OPERATIONS, n);
      return;
    }

  ops = g_array_sized_new (FALSE, TRUE, sizeof (Operation), n);
  g_array_set_size (ops, n);
  for (guint i = 0; i < n; i++)
    if (!parse_operation (request, i, json_array_get_element (array, i), &g_array_index (ops, Operation, i)))
      return;

  request->data = g_steal_pointer (&ops);
  request->data_free = (GDestroyNotify) g_array_unref;
  zh_server_request_then (request, ZH_SERVER_POOL_WRITE, batch_write);
}

/* ---- imports ------------------------------------------------------------------------------- */

/* The sections of a class-list plan, in the order they are applied (a row refers only to rows of
 * earlier sections or of the database). */
static const struct
{
  const char         *member;
  const ZhEntityInfo *info;
} import_sections[] = {
  { "students", &zh_student_info },
  { "enrollments", &zh_enrollment_info },
  { "groups", &zh_group_info },
  { "group_members", &zh_group_member_info },
};

/* The references of the imported entities: the row named by the field must exist, in the
 * caller's school (in the database or earlier in the plan). */
static const struct
{
  const ZhEntityInfo *info;
  const char         *field;
  const ZhEntityInfo *target;
} import_references[] = {
  { &zh_enrollment_info, "student_id", &zh_student_info },
  { &zh_enrollment_info, "class_id", &zh_class_info },
  { &zh_group_info, "class_id", &zh_class_info },
  { &zh_group_info, "subject_id", &zh_subject_info },
  { &zh_group_info, "teacher_id", &zh_staff_info },
  { &zh_group_member_info, "group_id", &zh_group_info },
  { &zh_group_member_info, "student_id", &zh_student_info },
};

typedef struct
{
  guint       index;
  const char *entity;     /* the plan's member: "students" … */
  const char *field;      /* (nullable) */
  const char *code;
  char       *message;
} Rejected;

static void
rejected_clear (gpointer data)
{
  g_free (((Rejected *) data)->message);
}

static const char *
string_field (const ZhEntityInfo *info,
              gconstpointer       entity,
              const char         *name)
{
  const ZhField *field = zh_entity_info_find_field (info, name);

  return *(const char * const *) G_STRUCT_MEMBER_P (entity, field->offset);
}

/* The checks of one imported row beyond its decoding: references, school, dates. */
static gboolean
check_import_row (Writer              *w,
                  const ZhEntityInfo  *info,
                  gconstpointer        entity,
                  Result              *result,
                  GError             **error)
{
  if (info == &zh_student_info && g_strcmp0 (((const ZhStudent *) entity)->school_id, w->school_id) != 0)
    return reject (result, "forbidden", "school_id", "%s", _("The student belongs to another school."));

  for (guint i = 0; i < G_N_ELEMENTS (import_references); i++)
    {
      const char *id;
      g_autofree char *school = NULL;

      if (import_references[i].info != info)
        continue;
      id = string_field (info, entity, import_references[i].field);
      if (id == NULL)
        continue;
      school = row_school (w, import_references[i].target, id, error);
      if (school == NULL && *error != NULL)
        return FALSE;
      if (school == NULL)
        return reject (result, "not_found", import_references[i].field,
                       _("There is no %s with the id “%s”, neither in the plan nor in the journal."),
                       import_references[i].target->name, id);
      if (!g_str_equal (school, w->school_id))
        return reject (result, "forbidden", import_references[i].field,
                       _("The %s “%s” belongs to another school."), import_references[i].target->name, id);
    }

  if (info == &zh_enrollment_info)
    {
      const ZhEnrollment *e = entity;

      if (e->date_to != NULL && strcmp (e->date_to, e->date_from) < 0)
        return reject (result, "invalid_value", "date_to", "%s",
                       _("The stay in the class ends before it begins."));
      if ((e->date_to == NULL) != (e->end_reason == ZH_END_REASON_NONE))
        return reject (result, "invalid_value", "end_reason", "%s",
                       _("A stay that ends needs the reason it ends, and only such a stay has one."));
    }
  if (info == &zh_group_member_info)
    {
      const ZhGroupMember *m = entity;

      if (m->date_to != NULL && strcmp (m->date_to, m->date_from) < 0)
        return reject (result, "invalid_value", "date_to", "%s",
                       _("The membership ends before it begins."));
    }
  return TRUE;
}

typedef struct
{
  const char *op_id;
  JsonArray  *sections[G_N_ELEMENTS (import_sections)];
} ImportPlan;

static void
import_write (ZhServerRequest *request,
              ZhStore         *store)
{
  ImportPlan *plan = request->data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rejected = g_array_new (FALSE, TRUE, sizeof (Rejected));
  g_autofree char *stored = NULL;
  g_autofree char *stored_by = NULL;
  g_autoptr(GString) answer = g_string_new (NULL);
  g_autoptr(ZhJsonWriter) writer = NULL;
  guint counts[G_N_ELEMENTS (import_sections)] = { 0 };
  gint64 last_rev = 0;
  Writer w = { 0 };

  g_array_set_clear_func (rejected, rejected_clear);
  writer_init (&w, request, store);
  if (!zh_store_lock (store, &error))
    goto failed;
  if (!op_log_lookup (&w, plan->op_id, &stored, &stored_by, &error))
    goto rollback;
  if (stored != NULL)
    {
      zh_store_unlock (store, ZH_STORE_UNLOCK_ROLLBACK, NULL);
      writer_clear (&w);
      if (g_strcmp0 (stored_by, w.staff_id) != 0)
        {
          zh_server_request_error (request, SOUP_STATUS_CONFLICT, "duplicate_op_id", "op_id", "%s",
                                   _("This operation id was used by someone else; make a new one."));
          return;
        }
      zh_json_writer_free (zh_server_request_begin_answer (request, SOUP_STATUS_OK));
      g_string_append (request->answer, stored);
      return;
    }

  for (guint s = 0; s < G_N_ELEMENTS (import_sections); s++)
    {
      const ZhEntityInfo *info = import_sections[s].info;
      guint n = plan->sections[s] != NULL ? json_array_get_length (plan->sections[s]) : 0;

      for (guint i = 0; i < n; i++)
        {
          Result result = { 0 };
          gpointer entity;
          gint64 rev = 0;

          entity = decode_value (info, json_array_get_element (plan->sections[s], i), &result);
          if (entity != NULL)
            {
              /* Each row in a savepoint of its own, so every bad row is found, not just the
               * first; any bad row undoes the whole plan below. */
              if (!zh_store_lock (store, &error))
                {
                  zh_entity_free (info, entity);
                  goto rollback;
                }
              if (check_import_row (&w, info, entity, &result, &error) &&
                  store_row (&w, info, entity, NULL, "import", &rev, &result, &error))
                {
                  last_rev = rev;
                  counts[s]++;
                }
              zh_entity_free (info, entity);
              if (error != NULL)
                {
                  zh_store_unlock (store, ZH_STORE_UNLOCK_ROLLBACK, NULL);
                  goto rollback;
                }
              if (!zh_store_unlock (store, result.status == RESULT_REJECTED ? ZH_STORE_UNLOCK_ROLLBACK
                                                                             : ZH_STORE_UNLOCK_COMMIT, &error))
                goto rollback;
            }
          if (result.status == RESULT_REJECTED)
            {
              Rejected r = { i, import_sections[s].member, result.field, result.code,
                             g_steal_pointer (&result.message) };

              /* A row landing in another school is about its id. */
              if (r.field == NULL && g_strcmp0 (r.code, "forbidden") == 0)
                r.field = "id";
              g_array_append_val (rejected, r);
            }
          result_clear (&result);
        }
    }

  if (rejected->len > 0)
    {
      Rejected *first = &g_array_index (rejected, Rejected, 0);
      g_autofree char *path = NULL;

      zh_store_unlock (store, ZH_STORE_UNLOCK_ROLLBACK, NULL);
      writer_clear (&w);
      path = first->field != NULL ? g_strdup_printf ("%s[%u].%s", first->entity, first->index, first->field)
                                  : g_strdup_printf ("%s[%u]", first->entity, first->index);
      writer = zh_server_request_begin_answer (request, SOUP_STATUS_UNPROCESSABLE_ENTITY);
      zh_json_writer_begin_object (writer);
      zh_json_writer_key (writer, "code");
      zh_json_writer_string (writer, "invalid_rows");
      zh_json_writer_key (writer, "message");
      {
        g_autofree char *message = g_strdup_printf (ngettext ("The plan was not applied: %u row is "
                                                              "wrong, the first at %s: %s",
                                                              "The plan was not applied: %u rows are "
                                                              "wrong, the first at %s: %s",
                                                              rejected->len),
                                                    rejected->len, path, first->message);

        zh_json_writer_string (writer, message);
      }
      zh_json_writer_key (writer, "field");
      zh_json_writer_string (writer, path);
      zh_json_writer_key (writer, "rejected");
      zh_json_writer_begin_array (writer);
      for (guint i = 0; i < rejected->len; i++)
        {
          Rejected *r = &g_array_index (rejected, Rejected, i);

          zh_json_writer_begin_object (writer);
          zh_json_writer_key (writer, "index");
          zh_json_writer_int (writer, r->index);
          zh_json_writer_key (writer, "entity");
          zh_json_writer_string (writer, r->entity);
          zh_json_writer_key (writer, "field");
          zh_json_writer_string (writer, r->field);
          zh_json_writer_key (writer, "code");
          zh_json_writer_string (writer, r->code);
          zh_json_writer_key (writer, "message");
          zh_json_writer_string (writer, r->message);
          zh_json_writer_end_object (writer);
        }
      zh_json_writer_end_array (writer);
      zh_json_writer_end_object (writer);
      return;
    }

  {
    g_autoptr(ZhJsonWriter) out = zh_json_writer_new (answer);

    zh_json_writer_begin_object (out);
    zh_json_writer_key (out, "op_id");
    zh_json_writer_string (out, plan->op_id);
    zh_json_writer_key (out, "rev");
    zh_json_writer_int (out, last_rev);
    zh_json_writer_key (out, "counts");
    zh_json_writer_begin_object (out);
    for (guint s = 0; s < G_N_ELEMENTS (import_sections); s++)
      {
        zh_json_writer_key (out, import_sections[s].member);
        zh_json_writer_int (out, counts[s]);
      }
    zh_json_writer_end_object (out);
    zh_json_writer_end_object (out);
  }
  if (!op_log_add (&w, plan->op_id, answer->str, &error) ||
      !zh_store_unlock (store, ZH_STORE_UNLOCK_COMMIT, &error))
    goto rollback;
  _zh_server_set_last_rev (request->server, zh_server_store_get_last_rev (store));
  writer_clear (&w);
  zh_json_writer_free (zh_server_request_begin_answer (request, SOUP_STATUS_OK));
  g_string_append_len (request->answer, answer->str, answer->len);
  return;

rollback:
  zh_store_unlock (store, ZH_STORE_UNLOCK_ROLLBACK, NULL);
failed:
  writer_clear (&w);
  zh_server_request_store_error (request, error);
}

/* _zh_server_import_start: the first stage of POST /imports (read pool): the administrator only
 * (403), the plan's shape (400), then the writer applies it all or nothing. */
void
_zh_server_import_start (ZhServerRequest *request,
                         ZhStore         *store)
{
  JsonObject *body = json_node_get_object (request->json);
  g_autoptr(GList) names = json_object_get_members (body);
  ImportPlan *plan;

  if ((request->session.roles & ZH_ROLE_ADMIN) == 0)
    {
      zh_server_request_error (request, SOUP_STATUS_FORBIDDEN, "forbidden", NULL, "%s",
                               _("Only the administrator imports class lists."));
      return;
    }
  if (g_hash_table_size (request->query) > 0)
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, request->query);
      g_hash_table_iter_next (&iter, &key, NULL);
      zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST, "unknown_parameter", key,
                               _("This route has no query parameter “%s”."), (const char *) key);
      return;
    }

  plan = g_new0 (ImportPlan, 1);
  request->data = plan;
  request->data_free = g_free;
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (body, name);
      gboolean known = g_str_equal (name, "op_id");

      for (guint s = 0; s < G_N_ELEMENTS (import_sections); s++)
        if (g_str_equal (name, import_sections[s].member))
          {
            known = TRUE;
            if (!JSON_NODE_HOLDS_ARRAY (node))
              {
                zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST, "wrong_type", name,
                                         _("The member “%s” must be an array of rows."), name);
                return;
              }
            plan->sections[s] = json_node_get_array (node);
          }
      if (!known)
        {
          zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST, "unknown_field", name,
                                   _("The body has a member “%s” this route does not take."), name);
          return;
        }
    }
  plan->op_id = string_member (body, "op_id");
  if (plan->op_id == NULL || !zh_uuid_is_valid (plan->op_id))
    {
      zh_server_request_error (request, SOUP_STATUS_BAD_REQUEST,
                               json_object_has_member (body, "op_id") ? "invalid_value" : "missing_field",
                               "op_id", "%s", _("The plan needs an “op_id”, a UUID made by the client."));
      return;
    }
  zh_server_request_then (request, ZH_SERVER_POOL_WRITE, import_write);
}
