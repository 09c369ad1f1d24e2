/* zh-journal.c: reading the class journal — pages, periods, one page, one cell's history. */
#define G_LOG_DOMAIN "zh-journal"

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "zh-journal.h"

G_DEFINE_QUARK (zh-journal-error-quark, zh_journal_error)

/* Cyrillic letters sort by code point, except Ё and ё, which a class list files under Е (as the
 * service's journal page does, src/server/zh-server-routes.c). */
#define ALPHABETICAL(column) column " COLLATE journal"   /* Ё as Е: zh-store.c */

/* ---- words ------------------------------------------------------------------------------- */

/* zh_journal_lesson_kind_title: the lesson kind in words, «Контрольная работа». */
const char *
zh_journal_lesson_kind_title (ZhLessonKind kind)
{
  switch (kind)
    {
    case ZH_LESSON_KIND_LESSON: return C_("lesson kind", "Lesson");
    case ZH_LESSON_KIND_TEST: return C_("lesson kind", "Test");
    case ZH_LESSON_KIND_LAB: return C_("lesson kind", "Laboratory work");
    case ZH_LESSON_KIND_PRACTICAL: return C_("lesson kind", "Practical work");
    case ZH_LESSON_KIND_EXCURSION: return C_("lesson kind", "Excursion");
    case ZH_LESSON_KIND_ESSAY: return C_("lesson kind", "Essay");
    case ZH_LESSON_KIND_EXPOSITION: return C_("lesson kind", "Exposition");
    case ZH_LESSON_KIND_DICTATION: return C_("lesson kind", "Dictation");
    case ZH_LESSON_KIND_QUIZ: return C_("lesson kind", "Quiz");
    default: g_return_val_if_reached ("");
    }
}

/* zh_journal_lesson_kind_marker: the letter a journal column shows under the date for a lesson
 * of @kind («К» for a test), or NULL for an ordinary lesson (docs/journal.md). */
const char *
zh_journal_lesson_kind_marker (ZhLessonKind kind)
{
  switch (kind)
    {
    case ZH_LESSON_KIND_LESSON: return NULL;
    case ZH_LESSON_KIND_TEST: return C_("lesson kind marker: test", "T");
    case ZH_LESSON_KIND_LAB: return C_("lesson kind marker: laboratory work", "L");
    case ZH_LESSON_KIND_PRACTICAL: return C_("lesson kind marker: practical work", "P");
    case ZH_LESSON_KIND_EXCURSION: return C_("lesson kind marker: excursion", "X");
    case ZH_LESSON_KIND_ESSAY: return C_("lesson kind marker: essay", "E");
    case ZH_LESSON_KIND_EXPOSITION: return C_("lesson kind marker: exposition", "R");
    case ZH_LESSON_KIND_DICTATION: return C_("lesson kind marker: dictation", "D");
    case ZH_LESSON_KIND_QUIZ: return C_("lesson kind marker: quiz", "Q");
    default: g_return_val_if_reached (NULL);
    }
}

/* zh_journal_attendance_title: an attendance code in words, «по болезни». */
const char *
zh_journal_attendance_title (ZhAttendanceCode code)
{
  switch (code)
    {
    case ZH_ATTENDANCE_ABSENT: return _("absent");
    case ZH_ATTENDANCE_ILL: return _("absent, ill");
    case ZH_ATTENDANCE_VALID: return _("absent for a valid reason");
    case ZH_ATTENDANCE_INVALID: return _("absent without a valid reason");
    case ZH_ATTENDANCE_LATE: return _("late");
    default: g_return_val_if_reached ("");
    }
}

/* zh_journal_correction_reason_title: one of the five reasons of 002 §7 in words. */
const char *
zh_journal_correction_reason_title (ZhCorrectionReason reason)
{
  switch (reason)
    {
    case ZH_CORRECTION_REASON_DEBT_CLEARED: return _("academic debt cleared");
    case ZH_CORRECTION_REASON_NOT_OBJECTIVE: return _("mark found not objective at a check");
    case ZH_CORRECTION_REASON_TEACHER_REQUEST: return _("the teacher’s written request");
    case ZH_CORRECTION_REASON_APPEAL_UPHELD: return _("parents’ appeal upheld by the commission");
    case ZH_CORRECTION_REASON_REATTESTATION: return _("re-attestation");
    default: g_return_val_if_reached ("");
    }
}

/* zh_journal_format_time: (transfer full): @time as «14.11.2026 10:32» on the school's clock. */
char *
zh_journal_format_time (const ZhPolicy *policy,
                        gint64          time)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  GTimeZone *tz;

  g_return_val_if_fail (policy != NULL, NULL);

  utc = g_date_time_new_from_unix_utc (time);
  if (utc == NULL)
    return g_strdup ("");
  tz = zh_policy_get_timezone (policy);
  local = g_date_time_to_timezone (utc, tz);
  return g_date_time_format (local, "%d.%m.%Y %H:%M");
}

static char *
period_label (ZhPeriodKind kind,
              int          number)
{
  switch (kind)
    {
    case ZH_PERIOD_KIND_QUARTER: return g_strdup_printf (_("Quarter %d"), number);
    case ZH_PERIOD_KIND_TRIMESTER: return g_strdup_printf (_("Trimester %d"), number);
    case ZH_PERIOD_KIND_HALF: return g_strdup_printf (_("Half-year %d"), number);
    case ZH_PERIOD_KIND_MODULE: return g_strdup_printf (_("Module %d"), number);
    default: g_return_val_if_reached (g_strdup (""));
    }
}

static const char *
roman (int number)
{
  static const char * const numerals[] = { "", "I", "II", "III", "IV", "V", "VI" };

  return number >= 0 && number < (int) G_N_ELEMENTS (numerals) ? numerals[number] : "";
}

/* ---- small helpers ------------------------------------------------------------------------ */

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return text != NULL ? text : "";
}

static char *
dup_column (sqlite3_stmt *stmt,
            int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return g_strdup (text);
}

/* Finish stepping @stmt: reset it and turn a failure into @error. */
static gboolean
finish_rows (ZhStore       *store,
             sqlite3_stmt  *stmt,
             int            rc,
             const char    *what,
             GError       **error)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    return TRUE;
  zh_store_set_error (store, rc, what, error);
  return FALSE;
}

/* «Иванова А. П.» from the parts of a name, appended to @str. */
static char *
short_name (const char *last,
            const char *first,
            const char *middle)
{
  ZhStaff staff = { 0 };

  staff.last_name = (char *) last;
  staff.first_name = (char *) first;
  staff.middle_name = (char *) middle;
  return zh_staff_dup_short_name (&staff);
}

/* Short names of staff by id, read once each; the strings live in @chunk. */
typedef struct
{
  ZhStore      *store;
  GStringChunk *chunk;
  GHashTable   *names;  /* id (in chunk) → short name (in chunk) */
} StaffNames;

static void
staff_names_init (StaffNames   *names,
                  ZhStore      *store,
                  GStringChunk *chunk)
{
  names->store = store;
  names->chunk = chunk;
  names->names = g_hash_table_new (g_str_hash, g_str_equal);
}

static void
staff_names_clear (StaffNames *names)
{
  g_clear_pointer (&names->names, g_hash_table_unref);
}

static const char *
staff_names_get (StaffNames  *names,
                 const char  *id,
                 GError     **error)
{
  const char *name;
  sqlite3_stmt *stmt;
  int rc;

  if (id == NULL || id[0] == '\0')
    return "";
  name = g_hash_table_lookup (names->names, id);
  if (name != NULL)
    return name;

  stmt = zh_store_prepare (names->store,
                           "SELECT last_name, first_name, middle_name FROM staff WHERE id = ?1",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      g_autofree char *text = short_name (column_text (stmt, 0), column_text (stmt, 1),
                                          column_text (stmt, 2));

      name = g_string_chunk_insert_const (names->chunk, text);
    }
  else
    name = "";
  if (!finish_rows (names->store, stmt, rc, "staff", error))
    return NULL;
  g_hash_table_insert (names->names, g_string_chunk_insert_const (names->chunk, id), (char *) name);
  return name;
}

/* A read of several tables sees one state of the database: a savepoint is a read transaction
 * (also on a read-only connection) and nests inside a caller's transaction. */
static gboolean
begin_read (ZhStore  *store,
            GError  **error)
{
  return zh_store_exec (store, "SAVEPOINT zh_journal_read", error);
}

static void
end_read (ZhStore *store)
{
  zh_store_exec (store, "RELEASE zh_journal_read", NULL);
}

/* ---- page infos, periods, accounts -------------------------------------------------------- */

/* zh_journal_page_info_free: frees @info and its strings. */
void
zh_journal_page_info_free (ZhJournalPageInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->group_id);
  g_free (info->class_id);
  g_free (info->class_name);
  g_free (info->subject_id);
  g_free (info->subject_name);
  g_free (info->teacher_id);
  g_free (info->teacher_name);
  g_free (info->label);
  g_free (info);
}

/* zh_journal_period_free: frees @period and its strings. */
void
zh_journal_period_free (ZhJournalPeriod *period)
{
  if (period == NULL)
    return;
  g_free (period->id);
  g_free (period->starts);
  g_free (period->ends);
  g_free (period->label);
  g_free (period->short_label);
  g_free (period);
}

static void
period_clear (ZhJournalPeriod *period)
{
  g_free (period->id);
  g_free (period->starts);
  g_free (period->ends);
  g_free (period->label);
  g_free (period->short_label);
  memset (period, 0, sizeof *period);
}

static char *
page_label (const char *class_name,
            const char *subject,
            int         subgroup)
{
  if (subgroup > 0)
    /* Translators: a journal page: class, subject and subgroup, «7Б — Английский язык, 1
     * подгруппа» */
    return g_strdup_printf (_("%s — %s, subgroup %d"), class_name, subject, subgroup);
  /* Translators: a journal page: class and subject, «5А — Математика» */
  return g_strdup_printf (_("%s — %s"), class_name, subject);
}

/* The columns every page info query selects, from study_group g, class c, subject s. */
#define PAGE_INFO_COLUMNS "g.id, c.id, c.grade, c.letter, s.id, s.name, g.subgroup, g.teacher_id"

static ZhJournalPageInfo *
page_info_from_stmt (sqlite3_stmt  *stmt,
                     StaffNames    *names,
                     GError       **error)
{
  g_autoptr(ZhJournalPageInfo) info = g_new0 (ZhJournalPageInfo, 1);
  const char *teacher;

  info->group_id = dup_column (stmt, 0);
  info->class_id = dup_column (stmt, 1);
  info->grade = sqlite3_column_int (stmt, 2);
  info->class_name = g_strdup_printf ("%d%s", info->grade, column_text (stmt, 3));
  info->subject_id = dup_column (stmt, 4);
  info->subject_name = dup_column (stmt, 5);
  info->subgroup = sqlite3_column_int (stmt, 6);
  info->teacher_id = dup_column (stmt, 7);
  info->label = page_label (info->class_name, info->subject_name, info->subgroup);
  teacher = staff_names_get (names, info->teacher_id, error);
  if (teacher == NULL)
    return NULL;
  info->teacher_name = g_strdup (teacher);
  return g_steal_pointer (&info);
}

/* zh_journal_account_free: frees @account. */
void
zh_journal_account_free (ZhJournalAccount *account)
{
  if (account == NULL)
    return;
  g_free (account->staff_id);
  g_free (account->name);
  g_free (account);
}

/**
 * zh_journal_find_account:
 * @login: a staff member's login
 *
 * Finds the active staff member who signs in as @login: whose pages the journal shows.
 *
 * Returns: (transfer full): the account, or %NULL with ZH_JOURNAL_ERROR_NO_STAFF
 */
ZhJournalAccount *
zh_journal_find_account (ZhStore     *store,
                         const char  *login,
                         GError     **error)
{
  g_autoptr(ZhJournalAccount) account = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (ZH_IS_STORE (store), NULL);
  g_return_val_if_fail (login != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = zh_store_prepare (store, "SELECT id, last_name, first_name, middle_name, roles FROM staff "
                                  "WHERE login = ?1 AND active = 1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, login, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      const char *parts[] = { column_text (stmt, 1), column_text (stmt, 2), column_text (stmt, 3) };
      ZhStaff staff = { 0 };

      staff.last_name = (char *) parts[0];
      staff.first_name = (char *) parts[1];
      staff.middle_name = (char *) parts[2];
      account = g_new0 (ZhJournalAccount, 1);
      account->staff_id = dup_column (stmt, 0);
      account->name = zh_staff_dup_full_name (&staff);
      account->roles = sqlite3_column_int (stmt, 4);
    }
  if (!finish_rows (store, stmt, rc, "staff", error))
    return NULL;
  if (account == NULL)
    {
      g_set_error (error, ZH_JOURNAL_ERROR, ZH_JOURNAL_ERROR_NO_STAFF,
                   _("No active staff member signs in as “%s” in %s"), login,
                   zh_store_get_path (store));
      return NULL;
    }
  return g_steal_pointer (&account);
}

/**
 * zh_journal_list_pages:
 * @staff_id: the account's staff member
 * @roles: the account's roles
 * @year_id: (nullable): an academic year; %NULL for the latest of the staff member's school
 *
 * The journal pages an account may see (issue 6 §2): an administrator, deputy or director sees
 * every group of the year (000 §5.1-5.4); a teacher the groups they teach, and a class teacher
 * also every group of their class, whose absences they explain weekly (002 §5.3, 000 §4.3.3).
 * Ordered by class (grade, letter), subject and subgroup.
 *
 * Returns: (transfer full) (element-type ZhJournalPageInfo): the pages
 */
GPtrArray *
zh_journal_list_pages (ZhStore     *store,
                       const char  *staff_id,
                       ZhRoles      roles,
                       const char  *year_id,
                       GError     **error)
{
  g_autoptr(GPtrArray) pages =
    g_ptr_array_new_with_free_func ((GDestroyNotify) zh_journal_page_info_free);
  g_autoptr(GStringChunk) chunk = g_string_chunk_new (1024);
  g_autofree char *year = g_strdup (year_id);
  StaffNames names;
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (ZH_IS_STORE (store), NULL);
  g_return_val_if_fail (staff_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!begin_read (store, error))
    return NULL;
  staff_names_init (&names, store, chunk);

  if (year == NULL)
    {
      stmt = zh_store_prepare (store, "SELECT y.id FROM academic_year y JOIN staff s "
                                      "ON s.school_id = y.school_id WHERE s.id = ?1 "
                                      "ORDER BY y.starts DESC LIMIT 1", error);
      if (stmt == NULL)
        goto out;
      sqlite3_bind_text (stmt, 1, staff_id, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        year = dup_column (stmt, 0);
      if (!finish_rows (store, stmt, rc, "academic_year", error))
        goto out;
      if (year == NULL)
        {
          g_set_error (error, ZH_JOURNAL_ERROR, ZH_JOURNAL_ERROR_NO_STAFF,
                       _("No staff member with the id “%s” in %s"), staff_id,
                       zh_store_get_path (store));
          goto out;
        }
    }

  stmt = zh_store_prepare (store, "SELECT " PAGE_INFO_COLUMNS " FROM study_group g "
                                  "JOIN class c ON c.id = g.class_id "
                                  "JOIN subject s ON s.id = g.subject_id "
                                  "WHERE c.year_id = ?1 AND (?3 OR g.teacher_id = ?2 "
                                  "OR (?4 AND c.class_teacher_id = ?2)) "
                                  "ORDER BY c.grade, c.letter, s.name, g.subgroup", error);
  if (stmt == NULL)
    goto out;
  sqlite3_bind_text (stmt, 1, year, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, staff_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 3, (roles & (ZH_ROLE_ADMIN | ZH_ROLE_DEPUTY | ZH_ROLE_DIRECTOR)) != 0);
  sqlite3_bind_int (stmt, 4, (roles & ZH_ROLE_CLASS_TEACHER) != 0);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ZhJournalPageInfo *info = page_info_from_stmt (stmt, &names, error);

      if (info == NULL)
        {
          sqlite3_reset (stmt);
          goto out;
        }
      g_ptr_array_add (pages, info);
    }
  ok = finish_rows (store, stmt, rc, "study_group", error);

out:
  staff_names_clear (&names);
  end_read (store);
  return ok ? g_steal_pointer (&pages) : NULL;
}

/* The grade's periods of @year_id into @periods (of ZhJournalPeriod *). */
static gboolean
read_periods (ZhStore    *store,
              const char *year_id,
              int         grade,
              GPtrArray  *periods,
              GError    **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = zh_store_prepare (store, "SELECT id, kind, number, starts, ends FROM period "
                                  "WHERE year_id = ?1 AND grade_from <= ?2 AND grade_to >= ?2 "
                                  "ORDER BY starts, number", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, year_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 2, grade);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ZhJournalPeriod *period = g_new0 (ZhJournalPeriod, 1);
      int kind = ZH_PERIOD_KIND_QUARTER;

      zh_enum_from_nick (ZH_TYPE_PERIOD_KIND, column_text (stmt, 1), &kind);
      period->id = dup_column (stmt, 0);
      period->kind = kind;
      period->number = sqlite3_column_int (stmt, 2);
      period->starts = dup_column (stmt, 3);
      period->ends = dup_column (stmt, 4);
      period->label = period_label (period->kind, period->number);
      period->short_label = g_strdup (roman (period->number));
      g_ptr_array_add (periods, period);
    }
  return finish_rows (store, stmt, rc, "period", error);
}

static ZhJournalPeriod *
year_period (const char *starts,
             const char *ends,
             ZhPeriodKind kind)
{
  ZhJournalPeriod *year = g_new0 (ZhJournalPeriod, 1);

  year->kind = kind;
  year->starts = g_strdup (starts);
  year->ends = g_strdup (ends);
  /* Translators: the whole academic year as a period of the journal */
  year->label = g_strdup (C_("period", "Year"));
  /* Translators: the column of the year mark */
  year->short_label = g_strdup (C_("period column", "Year"));
  return year;
}

/**
 * zh_journal_list_periods:
 * @group_id: a study group
 *
 * The periods a page of @group_id can show: the reporting periods of its grade in its year
 * (quarters in 1–9, half-years in 10–11 by default; 001 §4.2, 002 §5.1), then the whole year
 * (id %NULL, «Год»).
 *
 * Returns: (transfer full) (element-type ZhJournalPeriod): the periods
 */
GPtrArray *
zh_journal_list_periods (ZhStore     *store,
                         const char  *group_id,
                         GError     **error)
{
  g_autoptr(GPtrArray) periods =
    g_ptr_array_new_with_free_func ((GDestroyNotify) zh_journal_period_free);
  g_autofree char *year_id = NULL;
  g_autofree char *starts = NULL;
  g_autofree char *ends = NULL;
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;
  int grade = 0;
  int rc;

  g_return_val_if_fail (ZH_IS_STORE (store), NULL);
  g_return_val_if_fail (group_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!begin_read (store, error))
    return NULL;
  stmt = zh_store_prepare (store, "SELECT c.year_id, c.grade, y.starts, y.ends FROM study_group g "
                                  "JOIN class c ON c.id = g.class_id "
                                  "JOIN academic_year y ON y.id = c.year_id WHERE g.id = ?1",
                           error);
  if (stmt == NULL)
    goto out;
  sqlite3_bind_text (stmt, 1, group_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      year_id = dup_column (stmt, 0);
      grade = sqlite3_column_int (stmt, 1);
      starts = dup_column (stmt, 2);
      ends = dup_column (stmt, 3);
    }
  if (!finish_rows (store, stmt, rc, "study_group", error))
    goto out;
  if (year_id == NULL)
    {
      g_set_error (error, ZH_JOURNAL_ERROR, ZH_JOURNAL_ERROR_NO_GROUP,
                   _("No study group with the id “%s” in %s"), group_id, zh_store_get_path (store));
      goto out;
    }
  if (!read_periods (store, year_id, grade, periods, error))
    goto out;
  g_ptr_array_add (periods, year_period (starts, ends,
                                         periods->len > 0
                                           ? ((ZhJournalPeriod *) periods->pdata[0])->kind
                                           : ZH_PERIOD_KIND_QUARTER));
  ok = TRUE;

out:
  end_read (store);
  return ok ? g_steal_pointer (&periods) : NULL;
}

/* ---- the page ----------------------------------------------------------------------------- */

/* The page and what it owns, in one reference-counted box. */
typedef struct
{
  ZhJournalPage  page;
  GStringChunk  *strings;
  const char   **term_marks;   /* n_rows × n_periods */
  GHashTable    *row_index;    /* student id → row + 1 */
  GHashTable    *column_index; /* lesson id → column + 1 */
} PageBox;

static void
page_box_clear (gpointer data)
{
  PageBox *box = data;
  ZhJournalPage *page = &box->page;

  g_clear_pointer (&page->policy, zh_policy_unref);
  g_free (page->info.group_id);
  g_free (page->info.class_id);
  g_free (page->info.class_name);
  g_free (page->info.subject_id);
  g_free (page->info.subject_name);
  g_free (page->info.teacher_id);
  g_free (page->info.teacher_name);
  g_free (page->info.label);
  g_free (page->year_id);
  g_free (page->year_name);
  period_clear (&page->period);
  for (guint i = 0; i < page->n_periods; i++)
    period_clear (&page->periods[i]);
  g_free (page->periods);
  g_free (page->rows);
  g_free (page->lessons);
  g_free (page->cells);
  g_free (page->marks);
  g_free (box->term_marks);
  g_clear_pointer (&box->row_index, g_hash_table_unref);
  g_clear_pointer (&box->column_index, g_hash_table_unref);
  if (box->strings != NULL)
    g_string_chunk_free (box->strings);
}

/* zh_journal_page_ref: (transfer full): adds a reference to @page. */
ZhJournalPage *
zh_journal_page_ref (ZhJournalPage *page)
{
  g_return_val_if_fail (page != NULL, NULL);

  return &((PageBox *) g_atomic_rc_box_acquire ((PageBox *) page))->page;
}

/* zh_journal_page_unref: drops a reference to @page, freeing it with the last one. */
void
zh_journal_page_unref (ZhJournalPage *page)
{
  if (page != NULL)
    g_atomic_rc_box_release_full ((PageBox *) page, page_box_clear);
}

/* zh_journal_page_get_cell: the cell of @row (a student) in @column (a lesson). */
const ZhJournalCell *
zh_journal_page_get_cell (const ZhJournalPage *page,
                          guint                row,
                          guint                column)
{
  g_return_val_if_fail (page != NULL, NULL);
  g_return_val_if_fail (row < page->n_rows && column < page->n_lessons, NULL);

  return &page->cells[(gsize) row * page->n_lessons + column];
}

/* zh_journal_page_get_marks: (array length=cell->n_marks): the active marks of @cell. */
const ZhJournalMark *
zh_journal_page_get_marks (const ZhJournalPage *page,
                           const ZhJournalCell *cell)
{
  g_return_val_if_fail (page != NULL && cell != NULL, NULL);

  return cell->n_marks > 0 ? &page->marks[cell->first_mark] : NULL;
}

/* zh_journal_page_find_row: the row of @student_id, or -1 when not on the page. */
int
zh_journal_page_find_row (const ZhJournalPage *page,
                          const char          *student_id)
{
  const PageBox *box = (const PageBox *) page;

  g_return_val_if_fail (page != NULL && student_id != NULL, -1);

  return GPOINTER_TO_INT (g_hash_table_lookup (box->row_index, student_id)) - 1;
}

/* zh_journal_page_find_column: the column of @lesson_id, or -1 when not on the page. */
int
zh_journal_page_find_column (const ZhJournalPage *page,
                             const char          *lesson_id)
{
  const PageBox *box = (const PageBox *) page;

  g_return_val_if_fail (page != NULL && lesson_id != NULL, -1);

  return GPOINTER_TO_INT (g_hash_table_lookup (box->column_index, lesson_id)) - 1;
}

typedef struct
{
  guint       row;
  const char *from;
  const char *to;   /* NULL: open */
} Span;

typedef struct
{
  guint         row;
  guint         column;
  ZhJournalMark mark;
} LoadedMark;

static int
compare_loaded_marks (gconstpointer a,
                      gconstpointer b)
{
  const LoadedMark *x = a, *y = b;

  if (x->row != y->row)
    return x->row < y->row ? -1 : 1;
  if (x->column != y->column)
    return x->column < y->column ? -1 : 1;
  if (x->mark.part != y->mark.part)
    return x->mark.part < y->mark.part ? -1 : 1;
  if (x->mark.entered_at != y->mark.entered_at)
    return x->mark.entered_at < y->mark.entered_at ? -1 : 1;
  return strcmp (x->mark.id, y->mark.id);
}

static const char *
chunk_column (GStringChunk *chunk,
              sqlite3_stmt *stmt,
              int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return text != NULL ? g_string_chunk_insert_len (chunk, text, sqlite3_column_bytes (stmt, column))
                      : NULL;
}

/* Texts repeated across the page (values, work types, names) are kept once. */
static const char *
chunk_const_column (GStringChunk *chunk,
                    sqlite3_stmt *stmt,
                    int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return text != NULL ? g_string_chunk_insert_const (chunk, text) : NULL;
}

/* The group, its class, subject, teacher, year and school policy. */
static gboolean
load_group (PageBox     *box,
            ZhStore     *store,
            StaffNames  *names,
            const char  *group_id,
            GError     **error)
{
  ZhJournalPage *page = &box->page;
  g_autoptr(ZhJournalPageInfo) info = NULL;
  g_autofree char *policy_json = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = zh_store_prepare (store, "SELECT " PAGE_INFO_COLUMNS ", y.id, y.name, y.starts, y.ends, "
                                  "sc.policy FROM study_group g "
                                  "JOIN class c ON c.id = g.class_id "
                                  "JOIN subject s ON s.id = g.subject_id "
                                  "JOIN academic_year y ON y.id = c.year_id "
                                  "JOIN school sc ON sc.id = y.school_id WHERE g.id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, group_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      info = page_info_from_stmt (stmt, names, error);
      if (info == NULL)
        {
          sqlite3_reset (stmt);
          return FALSE;
        }
      page->year_id = dup_column (stmt, 8);
      page->year_name = dup_column (stmt, 9);
      page->period.starts = dup_column (stmt, 10);
      page->period.ends = dup_column (stmt, 11);
      policy_json = dup_column (stmt, 12);
    }
  if (!finish_rows (store, stmt, rc, "study_group", error))
    return FALSE;
  if (info == NULL)
    {
      g_set_error (error, ZH_JOURNAL_ERROR, ZH_JOURNAL_ERROR_NO_GROUP,
                   _("No study group with the id “%s” in %s"), group_id, zh_store_get_path (store));
      return FALSE;
    }
  page->info = *info;
  g_free (info);
  info = NULL;
  page->grade = page->info.grade;

  {
    g_autoptr(GError) local_error = NULL;

    page->policy = zh_policy_new_from_json (policy_json, &local_error);
    if (page->policy == NULL)
      {
        g_set_error (error, ZH_JOURNAL_ERROR, ZH_JOURNAL_ERROR_BAD_POLICY,
                     _("The school’s policy in %s cannot be read: %s"), zh_store_get_path (store),
                     local_error->message);
        return FALSE;
      }
  }
  return TRUE;
}

/* The grade's periods, and the page's own period (the year when @period_id is NULL). */
static gboolean
load_periods (PageBox     *box,
              ZhStore     *store,
              const char  *period_id,
              GError     **error)
{
  ZhJournalPage *page = &box->page;
  g_autoptr(GPtrArray) periods =
    g_ptr_array_new_with_free_func ((GDestroyNotify) zh_journal_period_free);
  gboolean found = period_id == NULL;

  if (!read_periods (store, page->year_id, page->grade, periods, error))
    return FALSE;
  page->n_periods = periods->len;
  page->periods = g_new0 (ZhJournalPeriod, MAX (periods->len, 1));
  for (guint i = 0; i < periods->len; i++)
    {
      ZhJournalPeriod *p = periods->pdata[i];

      page->periods[i] = *p;
      memset (p, 0, sizeof *p);
      if (period_id != NULL && g_str_equal (page->periods[i].id, period_id))
        {
          ZhJournalPeriod *own = &page->period;

          g_free (own->starts);
          g_free (own->ends);
          own->id = g_strdup (period_id);
          own->kind = page->periods[i].kind;
          own->number = page->periods[i].number;
          own->starts = g_strdup (page->periods[i].starts);
          own->ends = g_strdup (page->periods[i].ends);
          own->label = g_strdup (page->periods[i].label);
          own->short_label = g_strdup (page->periods[i].short_label);
          found = TRUE;
        }
    }
  if (!found)
    {
      g_set_error (error, ZH_JOURNAL_ERROR, ZH_JOURNAL_ERROR_NO_PERIOD,
                   _("No period with the id “%s” for grade %d in the year %s"), period_id,
                   page->grade, page->year_name);
      return FALSE;
    }
  if (period_id == NULL)
    {
      ZhJournalPeriod *year = year_period (page->period.starts, page->period.ends,
                                           page->n_periods > 0 ? page->periods[0].kind
                                                               : ZH_PERIOD_KIND_QUARTER);

      period_clear (&page->period);
      page->period = *year;
      g_free (year);
      /* The columns after the year mark: ГИА in grade 9 only (000 §7.4: in grade 11 the exam mark
       * is not put in the journal), Итог in grades 9 and 11 (REQUIREMENTS §5). */
      page->has_exam = page->grade == 9;
      page->has_final = page->grade == 9 || page->grade == 11;
    }
  return TRUE;
}

/* The students who were in the group at any time of the page, in paper journal order, and the
 * days each was in it. */
static gboolean
load_rows (PageBox     *box,
           ZhStore     *store,
           GArray      *spans,
           GError     **error)
{
  ZhJournalPage *page = &box->page;
  g_autoptr(GArray) rows = g_array_new (FALSE, TRUE, sizeof (ZhJournalRow));
  sqlite3_stmt *stmt;
  int rc;

  stmt = zh_store_prepare (store, "SELECT s.id, s.last_name, s.first_name, s.middle_name, "
                                  "m.date_from, m.date_to FROM group_member m "
                                  "JOIN student s ON s.id = m.student_id "
                                  "WHERE m.group_id = ?1 AND m.date_from <= ?3 "
                                  "AND (m.date_to IS NULL OR m.date_to >= ?2) "
                                  "ORDER BY " ALPHABETICAL ("s.last_name") ", "
                                  ALPHABETICAL ("s.first_name") ", "
                                  ALPHABETICAL ("s.middle_name") ", s.id, m.date_from", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, page->info.group_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, page->period.starts, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, page->period.ends, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *id = column_text (stmt, 0);
      ZhJournalRow *row = rows->len > 0 ? &g_array_index (rows, ZhJournalRow, rows->len - 1) : NULL;
      Span span;

      /* A student who left and came back has two stays and one row. */
      if (row == NULL || !g_str_equal (row->student_id, id))
        {
          ZhJournalRow fresh = { 0 };

          fresh.student_id = chunk_column (box->strings, stmt, 0);
          fresh.last_name = chunk_column (box->strings, stmt, 1);
          fresh.first_name = chunk_column (box->strings, stmt, 2);
          fresh.middle_name = chunk_column (box->strings, stmt, 3);
          fresh.date_from = chunk_const_column (box->strings, stmt, 4);
          g_array_append_val (rows, fresh);
          row = &g_array_index (rows, ZhJournalRow, rows->len - 1);
        }
      row->date_to = chunk_const_column (box->strings, stmt, 5);
      span.row = rows->len - 1;
      span.from = chunk_const_column (box->strings, stmt, 4);
      span.to = row->date_to;
      g_array_append_val (spans, span);
    }
  if (!finish_rows (store, stmt, rc, "group_member", error))
    return FALSE;

  page->n_rows = rows->len;
  page->rows = (ZhJournalRow *) g_array_free (g_steal_pointer (&rows), FALSE);
  box->row_index = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < page->n_rows; i++)
    g_hash_table_insert (box->row_index, (char *) page->rows[i].student_id,
                         GUINT_TO_POINTER (i + 1));
  return TRUE;
}

static gboolean
load_lessons (PageBox     *box,
              ZhStore     *store,
              StaffNames  *names,
              GError     **error)
{
  ZhJournalPage *page = &box->page;
  g_autoptr(GArray) lessons = g_array_new (FALSE, TRUE, sizeof (ZhJournalLesson));
  sqlite3_stmt *stmt;
  int rc;

  stmt = zh_store_prepare (store, "SELECT id, date, number, kind, topic, homework, teacher_id, "
                                  "substitute, topic_entered_at, homework_entered_at FROM lesson "
                                  "WHERE group_id = ?1 AND date BETWEEN ?2 AND ?3 "
                                  "ORDER BY date, number", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, page->info.group_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, page->period.starts, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, page->period.ends, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ZhJournalLesson lesson = { 0 };
      int kind = ZH_LESSON_KIND_LESSON;

      lesson.id = chunk_column (box->strings, stmt, 0);
      lesson.date = chunk_column (box->strings, stmt, 1);
      lesson.number = sqlite3_column_int (stmt, 2);
      zh_enum_from_nick (ZH_TYPE_LESSON_KIND, column_text (stmt, 3), &kind);
      lesson.kind = kind;
      lesson.topic = chunk_column (box->strings, stmt, 4);
      lesson.homework = chunk_column (box->strings, stmt, 5);
      lesson.teacher_id = chunk_const_column (box->strings, stmt, 6);
      lesson.substitute = sqlite3_column_int (stmt, 7) != 0;
      lesson.topic_entered_at = sqlite3_column_int64 (stmt, 8);
      lesson.homework_entered_at = sqlite3_column_int64 (stmt, 9);
      lesson.teacher_name = staff_names_get (names, lesson.teacher_id, error);
      if (lesson.teacher_name == NULL)
        {
          sqlite3_reset (stmt);
          return FALSE;
        }
      g_array_append_val (lessons, lesson);
    }
  if (!finish_rows (store, stmt, rc, "lesson", error))
    return FALSE;

  page->n_lessons = lessons->len;
  page->lessons = (ZhJournalLesson *) g_array_free (g_steal_pointer (&lessons), FALSE);
  box->column_index = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < page->n_lessons; i++)
    g_hash_table_insert (box->column_index, (char *) page->lessons[i].id, GUINT_TO_POINTER (i + 1));
  return TRUE;
}

/* Marks the cells of the days each student was in the group. */
static void
fill_membership (ZhJournalPage *page,
                 GArray        *spans)
{
  for (guint i = 0; i < spans->len; i++)
    {
      const Span *span = &g_array_index (spans, Span, i);
      ZhJournalCell *cells = &page->cells[(gsize) span->row * page->n_lessons];

      for (guint c = 0; c < page->n_lessons; c++)
        {
          const char *date = page->lessons[c].date;

          if (strcmp (date, span->from) >= 0 && (span->to == NULL || strcmp (date, span->to) <= 0))
            cells[c].flags |= ZH_JOURNAL_CELL_MEMBER;
        }
    }
}

/* Rows of a table joined to the page's lessons: ?1 group, ?2 first day, ?3 last day. */
static sqlite3_stmt *
prepare_cells_query (ZhStore        *store,
                     ZhJournalPage  *page,
                     const char     *sql,
                     GError        **error)
{
  sqlite3_stmt *stmt = zh_store_prepare (store, sql, error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, page->info.group_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, page->period.starts, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, page->period.ends, -1, SQLITE_TRANSIENT);
  return stmt;
}

/* The cell of a row of prepare_cells_query whose columns 0 and 1 are lesson and student. */
static ZhJournalCell *
cell_of_stmt (PageBox      *box,
              sqlite3_stmt *stmt,
              guint        *row,
              guint        *column)
{
  guint r = GPOINTER_TO_UINT (g_hash_table_lookup (box->row_index, column_text (stmt, 1)));
  guint c = GPOINTER_TO_UINT (g_hash_table_lookup (box->column_index, column_text (stmt, 0)));

  /* A row of someone not on the group's lists that day, or of a lesson the page leaves out. */
  if (r == 0 || c == 0)
    return NULL;
  *row = r - 1;
  *column = c - 1;
  return &box->page.cells[(gsize) (r - 1) * box->page.n_lessons + (c - 1)];
}

static gboolean
load_marks (PageBox     *box,
            ZhStore     *store,
            StaffNames  *names,
            GError     **error)
{
  ZhJournalPage *page = &box->page;
  g_autoptr(GArray) loaded = g_array_new (FALSE, FALSE, sizeof (LoadedMark));
  sqlite3_stmt *stmt;
  int rc;

  stmt = prepare_cells_query (store, page,
                              "SELECT m.lesson_id, m.student_id, m.id, m.value, m.work_type, "
                              "m.weight, m.part, m.comment, m.state, m.entered_by, m.entered_at "
                              "FROM lesson l JOIN mark m ON m.lesson_id = l.id "
                              "WHERE l.group_id = ?1 AND l.date BETWEEN ?2 AND ?3", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LoadedMark m;
      ZhJournalCell *cell = cell_of_stmt (box, stmt, &m.row, &m.column);

      if (cell == NULL)
        continue;
      /* A corrected mark stays in the database and in the cell's history; the mark that
       * replaced it is the one in force (002 §7). */
      if (!g_str_equal (column_text (stmt, 8), "active"))
        {
          cell->flags |= ZH_JOURNAL_CELL_CORRECTED;
          continue;
        }
      m.mark.id = chunk_column (box->strings, stmt, 2);
      m.mark.value = chunk_const_column (box->strings, stmt, 3);
      m.mark.work_type = chunk_const_column (box->strings, stmt, 4);
      m.mark.weight = sqlite3_column_double (stmt, 5);
      m.mark.part = sqlite3_column_int (stmt, 6);
      m.mark.comment = chunk_const_column (box->strings, stmt, 7);
      m.mark.entered_by = staff_names_get (names, (const char *) sqlite3_column_text (stmt, 9),
                                           error);
      m.mark.entered_at = sqlite3_column_int64 (stmt, 10);
      if (m.mark.entered_by == NULL)
        {
          sqlite3_reset (stmt);
          return FALSE;
        }
      g_array_append_val (loaded, m);
    }
  if (!finish_rows (store, stmt, rc, "mark", error))
    return FALSE;

  g_array_sort (loaded, compare_loaded_marks);
  page->n_marks = loaded->len;
  page->marks = g_new (ZhJournalMark, MAX (loaded->len, 1));
  for (guint i = 0; i < loaded->len; i++)
    {
      const LoadedMark *m = &g_array_index (loaded, LoadedMark, i);
      ZhJournalCell *cell = &page->cells[(gsize) m->row * page->n_lessons + m->column];

      page->marks[i] = m->mark;
      if (cell->n_marks == 0)
        cell->first_mark = i;
      if (cell->n_marks < G_MAXUINT16)
        cell->n_marks++;
    }
  return TRUE;
}

static gboolean
load_attendance (PageBox  *box,
                 ZhStore  *store,
                 GError  **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = prepare_cells_query (store, &box->page,
                              "SELECT a.lesson_id, a.student_id, a.code FROM lesson l "
                              "JOIN attendance a ON a.lesson_id = l.id "
                              "WHERE l.group_id = ?1 AND l.date BETWEEN ?2 AND ?3", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      guint row, column;
      ZhJournalCell *cell = cell_of_stmt (box, stmt, &row, &column);
      int code;

      if (cell == NULL || !zh_enum_from_nick (ZH_TYPE_ATTENDANCE_CODE, column_text (stmt, 2),
                                              &code))
        continue;
      cell->flags |= ZH_JOURNAL_CELL_ATTENDANCE;
      cell->attendance = code;
    }
  return finish_rows (store, stmt, rc, "attendance", error);
}

static gboolean
load_period_marks (PageBox  *box,
                   ZhStore  *store,
                   GError  **error)
{
  ZhJournalPage *page = &box->page;
  sqlite3_stmt *stmt;
  int rc;

  box->term_marks = g_new0 (const char *, MAX ((gsize) page->n_rows * page->n_periods, 1));
  for (guint r = 0; r < page->n_rows; r++)
    page->rows[r].term_marks = &box->term_marks[(gsize) r * page->n_periods];

  stmt = zh_store_prepare (store, "SELECT student_id, kind, period_id, value, state "
                                  "FROM period_mark WHERE group_id = ?1 "
                                  "ORDER BY student_id, entered_at", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, page->info.group_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int r = zh_journal_page_find_row (page, column_text (stmt, 0));
      const char *kind = column_text (stmt, 1);
      const char *period = column_text (stmt, 2);
      gboolean active = g_str_equal (column_text (stmt, 4), "active");
      ZhJournalRow *row;
      const char **slot = NULL;
      gboolean own = FALSE;

      if (r < 0)
        continue;
      row = &page->rows[r];
      if (g_str_equal (kind, "period"))
        {
          for (guint p = 0; p < page->n_periods; p++)
            if (g_str_equal (page->periods[p].id, period))
              slot = &row->term_marks[p];
          if (page->period.id != NULL && g_str_equal (page->period.id, period))
            own = TRUE;
        }
      else if (g_str_equal (kind, "year") && page->period.id == NULL)
        {
          slot = &row->period_mark;
          own = TRUE;
        }
      else if (g_str_equal (kind, "exam") && page->has_exam)
        slot = &row->exam_mark;
      else if (g_str_equal (kind, "final") && page->has_final)
        slot = &row->final_mark;

      if (own && !active)
        row->corrected = TRUE;
      if (!active)
        continue;
      if (own && slot != &row->period_mark)
        row->period_mark = chunk_const_column (box->strings, stmt, 3);
      if (slot != NULL)
        *slot = chunk_const_column (box->strings, stmt, 3);
    }
  return finish_rows (store, stmt, rc, "period_mark", error);
}

/* Count, weighted average and suggestion of every row, by the school's policy. */
static void
summarise (ZhJournalPage *page)
{
  g_autofree ZhMark *marks = NULL;
  g_autofree ZhMark **pointers = NULL;
  guint capacity = 0;

  for (guint r = 0; r < page->n_rows; r++)
    {
      ZhJournalRow *row = &page->rows[r];
      const ZhJournalCell *cells = &page->cells[(gsize) r * page->n_lessons];
      guint n = 0;

      for (guint c = 0; c < page->n_lessons; c++)
        n += cells[c].n_marks;
      if (n > capacity)
        {
          capacity = MAX (n, capacity * 2);
          marks = g_renew (ZhMark, marks, capacity);
          pointers = g_renew (ZhMark *, pointers, capacity);
        }
      n = 0;
      for (guint c = 0; c < page->n_lessons; c++)
        for (guint i = 0; i < cells[c].n_marks; i++)
          {
            const ZhJournalMark *m = &page->marks[cells[c].first_mark + i];

            memset (&marks[n], 0, sizeof marks[n]);
            marks[n].value = (char *) m->value;
            marks[n].work_type = (char *) m->work_type;
            marks[n].weight = m->weight;
            marks[n].part = m->part;
            marks[n].state = ZH_MARK_STATE_ACTIVE;
            pointers[n] = &marks[n];
            n++;
          }
      row->n_marks = n;
      row->has_average = zh_policy_weighted_average (page->policy, pointers, n, &row->average,
                                                     NULL);
      row->suggested = row->has_average ? zh_policy_suggest_period_mark (page->policy, row->average)
                                        : NULL;
    }
}

/**
 * zh_journal_page_load:
 * @group_id: a study group
 * @period_id: (nullable): one of the periods of its grade, or %NULL for the whole year
 *
 * Reads the journal page of @group_id in a period (issue 6 §3): its students, lessons, marks and
 * attendance, with the summary of each row. Runs in any thread on a store of its own.
 *
 * Returns: (transfer full): the page, or %NULL with @error set
 */
ZhJournalPage *
zh_journal_page_load (ZhStore     *store,
                      const char  *group_id,
                      const char  *period_id,
                      GError     **error)
{
  PageBox *box;
  ZhJournalPage *page;
  g_autoptr(GArray) spans = NULL;
  StaffNames names;
  gboolean ok;

  g_return_val_if_fail (ZH_IS_STORE (store), NULL);
  g_return_val_if_fail (group_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!begin_read (store, error))
    return NULL;
  box = g_atomic_rc_box_new0 (PageBox);
  page = &box->page;
  box->strings = g_string_chunk_new (16 * 1024);
  spans = g_array_new (FALSE, FALSE, sizeof (Span));
  staff_names_init (&names, store, box->strings);

  ok = load_group (box, store, &names, group_id, error) &&
       load_periods (box, store, period_id, error) &&
       load_rows (box, store, spans, error) &&
       load_lessons (box, store, &names, error);
  if (ok)
    {
      page->cells = g_new0 (ZhJournalCell, MAX ((gsize) page->n_rows * page->n_lessons, 1));
      fill_membership (page, spans);
      ok = load_marks (box, store, &names, error) &&
           load_attendance (box, store, error) &&
           load_period_marks (box, store, error);
    }
  if (ok)
    summarise (page);

  staff_names_clear (&names);
  end_read (store);
  if (!ok)
    {
      zh_journal_page_unref (page);
      return NULL;
    }
  return page;
}

/* ---- a cell's history --------------------------------------------------------------------- */

/* zh_journal_history_entry_free: frees @entry. */
void
zh_journal_history_entry_free (ZhJournalHistoryEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->time);
  g_free (entry->author);
  g_free (entry->text);
  g_free (entry->reason);
  g_free (entry->document);
  g_free (entry);
}

/* Whether @a comes after @b: later, or at the same second a mark after the correction that put
 * it in force. */
static gboolean
history_after (const ZhJournalHistoryEntry *a,
               const ZhJournalHistoryEntry *b)
{
  if (a->at != b->at)
    return a->at > b->at;
  return a->kind != ZH_JOURNAL_HISTORY_CORRECTION && b->kind == ZH_JOURNAL_HISTORY_CORRECTION;
}

/* Oldest first; otherwise in the order read. An insertion sort (stable): a cell has a handful of
 * entries. */
static void
sort_history (GPtrArray *entries)
{
  for (guint i = 1; i < entries->len; i++)
    {
      ZhJournalHistoryEntry *entry = entries->pdata[i];
      guint j = i;

      for (; j > 0 && history_after (entries->pdata[j - 1], entry); j--)
        entries->pdata[j] = entries->pdata[j - 1];
      entries->pdata[j] = entry;
    }
}

static char *
mark_text (const ZhPolicy *policy,
           const char     *value,
           const char     *work_type,
           double          weight,
           const char     *comment)
{
  const char *text = zh_policy_get_mark_text (policy, value);
  const char *title = NULL;
  g_autofree char *weight_text = g_strdup_printf ("%g", weight);
  GString *s = g_string_new (NULL);
  char *dot;

  zh_policy_lookup_work_type (policy, work_type, &title, NULL, NULL);
  /* Russian decimal comma, whatever the C locale says. */
  if ((dot = strchr (weight_text, '.')) != NULL)
    *dot = ',';
  /* Translators: a mark in a cell's history: value, form of control, weight, «5 — Ответ на уроке,
   * вес 1» */
  g_string_printf (s, _("%s — %s, weight %s"), text != NULL ? text : value,
                   title != NULL ? title : work_type, weight_text);
  if (comment != NULL && comment[0] != '\0')
    g_string_append_printf (s, " (%s)", comment);
  return g_string_free (s, FALSE);
}

static ZhJournalHistoryEntry *
history_entry (ZhJournalHistoryKind  kind,
               const ZhPolicy       *policy,
               gint64                at,
               const char           *author,
               char                 *text)
{
  ZhJournalHistoryEntry *entry = g_new0 (ZhJournalHistoryEntry, 1);

  entry->kind = kind;
  entry->at = at;
  entry->time = zh_journal_format_time (policy, at);
  entry->author = g_strdup (author != NULL ? author : "");
  entry->text = text;
  return entry;
}

/* Changes the service logged for the row @id of @entity: updates and removals (its creation is the
 * row itself). */
static gboolean
add_audit (ZhStore        *store,
           StaffNames     *names,
           const ZhPolicy *policy,
           const char     *entity,
           const char     *id,
           GPtrArray      *entries,
           GError        **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = zh_store_prepare (store, "SELECT at, staff_id, action FROM audit "
                                  "WHERE entity = ?1 AND entity_id = ?2 "
                                  "AND action IN ('update', 'delete') ORDER BY seq", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, entity, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *author = staff_names_get (names, (const char *) sqlite3_column_text (stmt, 1),
                                            error);
      gboolean removed = g_str_equal (column_text (stmt, 2), "delete");

      if (author == NULL)
        {
          sqlite3_reset (stmt);
          return FALSE;
        }
      g_ptr_array_add (entries,
                       history_entry (ZH_JOURNAL_HISTORY_CHANGE, policy,
                                      sqlite3_column_int64 (stmt, 0),
                                      author, g_strdup (removed ? _("removed") : _("changed"))));
    }
  return finish_rows (store, stmt, rc, "audit", error);
}

static gboolean
add_corrections (ZhStore        *store,
                 StaffNames     *names,
                 const ZhPolicy *policy,
                 const char     *mark_id,
                 GPtrArray      *entries,
                 GError        **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = zh_store_prepare (store, "SELECT old_value, new_value, reason, document, authorised_by, "
                                  "at "
                                  "FROM correction WHERE target_id = ?1 AND target_kind = 'mark' "
                                  "ORDER BY at", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, mark_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *author = staff_names_get (names, (const char *) sqlite3_column_text (stmt, 4),
                                            error);
      const char *old_text = zh_policy_get_mark_text (policy, column_text (stmt, 0));
      const char *new_text = zh_policy_get_mark_text (policy, column_text (stmt, 1));
      ZhJournalHistoryEntry *entry;
      int reason = 0;

      if (author == NULL)
        {
          sqlite3_reset (stmt);
          return FALSE;
        }
      zh_enum_from_nick (ZH_TYPE_CORRECTION_REASON, column_text (stmt, 2), &reason);
      /* Translators: a correction in a cell's history: the old and the new mark, «2 исправлена на
       * 4» */
      entry = history_entry (ZH_JOURNAL_HISTORY_CORRECTION, policy, sqlite3_column_int64 (stmt, 5),
                             author, g_strdup_printf (_("%s corrected to %s"),
                                                      old_text != NULL ? old_text
                                                          : column_text (stmt, 0),
                                                      new_text != NULL ? new_text
                                                          : column_text (stmt, 1)));
      entry->reason = g_strdup (zh_journal_correction_reason_title (reason));
      entry->document = dup_column (stmt, 3);
      g_ptr_array_add (entries, entry);
    }
  return finish_rows (store, stmt, rc, "correction", error);
}

static ZhPolicy *
load_policy_of_lesson (ZhStore     *store,
                       const char  *lesson_id,
                       GError     **error)
{
  g_autofree char *json = NULL;
  g_autoptr(GError) local_error = NULL;
  sqlite3_stmt *stmt;
  ZhPolicy *policy;
  int rc;

  stmt = zh_store_prepare (store, "SELECT sc.policy FROM lesson l "
                                  "JOIN study_group g ON g.id = l.group_id "
                                  "JOIN class c ON c.id = g.class_id "
                                  "JOIN academic_year y ON y.id = c.year_id "
                                  "JOIN school sc ON sc.id = y.school_id WHERE l.id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, lesson_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    json = dup_column (stmt, 0);
  if (!finish_rows (store, stmt, rc, "lesson", error))
    return NULL;
  if (json == NULL)
    {
      g_set_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_NOT_FOUND,
                   _("No lesson with the id “%s” in %s"), lesson_id, zh_store_get_path (store));
      return NULL;
    }
  policy = zh_policy_new_from_json (json, &local_error);
  if (policy == NULL)
    g_set_error (error, ZH_JOURNAL_ERROR, ZH_JOURNAL_ERROR_BAD_POLICY,
                 _("The school’s policy in %s cannot be read: %s"), zh_store_get_path (store),
                 local_error->message);
  return policy;
}

/**
 * zh_journal_cell_history:
 * @student_id: the row's student
 * @lesson_id: the column's lesson
 *
 * Everything entered in one cell, oldest first: the marks (in force or corrected), the attendance
 * record, the corrections with their reason and document (002 §7), and the changes the service
 * logged when the database has them (001 §6.3; REQUIREMENTS §4: the client shows this history for
 * every cell). Times are on the school's clock.
 *
 * Returns: (transfer full) (element-type ZhJournalHistoryEntry): the entries
 */
GPtrArray *
zh_journal_cell_history (ZhStore     *store,
                         const char  *student_id,
                         const char  *lesson_id,
                         GError     **error)
{
  g_autoptr(GPtrArray) entries =
    g_ptr_array_new_with_free_func ((GDestroyNotify) zh_journal_history_entry_free);
  g_autoptr(GPtrArray) mark_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GStringChunk) chunk = g_string_chunk_new (512);
  g_autoptr(ZhPolicy) policy = NULL;
  g_autofree char *attendance_id = NULL;
  StaffNames names;
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (ZH_IS_STORE (store), NULL);
  g_return_val_if_fail (student_id != NULL && lesson_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!begin_read (store, error))
    return NULL;
  staff_names_init (&names, store, chunk);
  policy = load_policy_of_lesson (store, lesson_id, error);
  if (policy == NULL)
    goto out;

  stmt = zh_store_prepare (store, "SELECT id, value, work_type, weight, comment, state, "
                                  "entered_by, "
                                  "entered_at FROM mark WHERE lesson_id = ?1 AND student_id = ?2 "
                                  "ORDER BY entered_at, part", error);
  if (stmt == NULL)
    goto out;
  sqlite3_bind_text (stmt, 1, lesson_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, student_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *author = staff_names_get (&names, (const char *) sqlite3_column_text (stmt, 6),
                                            error);
      ZhJournalHistoryEntry *entry;

      if (author == NULL)
        {
          sqlite3_reset (stmt);
          goto out;
        }
      entry = history_entry (ZH_JOURNAL_HISTORY_MARK, policy, sqlite3_column_int64 (stmt, 7),
                             author,
                             mark_text (policy, column_text (stmt, 1), column_text (stmt, 2),
                                        sqlite3_column_double (stmt, 3), column_text (stmt, 4)));
      entry->active = g_str_equal (column_text (stmt, 5), "active");
      g_ptr_array_add (entries, entry);
      g_ptr_array_add (mark_ids, dup_column (stmt, 0));
    }
  if (!finish_rows (store, stmt, rc, "mark", error))
    goto out;

  stmt = zh_store_prepare (store, "SELECT id, code, comment, entered_by, entered_at FROM "
                                  "attendance "
                                  "WHERE lesson_id = ?1 AND student_id = ?2", error);
  if (stmt == NULL)
    goto out;
  sqlite3_bind_text (stmt, 1, lesson_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, student_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *author = staff_names_get (&names, (const char *) sqlite3_column_text (stmt, 3),
                                            error);
      const char *comment = column_text (stmt, 2);
      int code = 0;
      const char *letter;
      char *text;

      if (author == NULL)
        {
          sqlite3_reset (stmt);
          goto out;
        }
      zh_enum_from_nick (ZH_TYPE_ATTENDANCE_CODE, column_text (stmt, 1), &code);
      letter = zh_policy_get_attendance_text (policy, code);
      if (letter == NULL)
        letter = "";
      if (comment[0] != '\0')
        text = g_strdup_printf ("%s — %s (%s)", letter, zh_journal_attendance_title (code),
                                comment);
      else
        text = g_strdup_printf ("%s — %s", letter, zh_journal_attendance_title (code));
      g_ptr_array_add (entries, history_entry (ZH_JOURNAL_HISTORY_ATTENDANCE, policy,
                                               sqlite3_column_int64 (stmt, 4), author, text));
      attendance_id = dup_column (stmt, 0);
    }
  if (!finish_rows (store, stmt, rc, "attendance", error))
    goto out;

  for (guint i = 0; i < mark_ids->len; i++)
    if (!add_corrections (store, &names, policy, mark_ids->pdata[i], entries, error) ||
        !add_audit (store, &names, policy, "mark", mark_ids->pdata[i], entries, error))
      goto out;
  if (attendance_id != NULL &&
      !add_audit (store, &names, policy, "attendance", attendance_id, entries, error))
    goto out;

  sort_history (entries);
  ok = TRUE;

out:
  staff_names_clear (&names);
  end_read (store);
  return ok ? g_steal_pointer (&entries) : NULL;
}
