/* zh-journal.h: the class journal as people read it — pages, their periods, the page of one group
 * in one period, and the history of one cell.
 *
 * Everything here reads a ZhStore: the service's database, the demo school or a client's offline
 * copy (they share one schema), so the journal window shows the same page whatever it was opened
 * on. A ZhJournalPage is a plain, immutable, reference-counted struct made in one pass over
 * the rows of the page: the cells sit in one array of rows × lessons and their marks in another, so
 * the largest page of a year (≈40 students × 200 lessons) loads in a few milliseconds and may be
 * built in a worker thread and read in the main thread.
 */
#pragma once

#include <glib.h>

#include "zh-model.h"
#include "zh-policy.h"
#include "zh-store.h"

G_BEGIN_DECLS

#define ZH_JOURNAL_ERROR (zh_journal_error_quark ())
GQuark zh_journal_error_quark (void);

/* ZhJournalError: why a page cannot be read (store failures keep ZH_STORE_ERROR). */
typedef enum
{
  ZH_JOURNAL_ERROR_NO_GROUP,      /* no study group with this id */
  ZH_JOURNAL_ERROR_NO_PERIOD,     /* no period with this id for the group's grade and year */
  ZH_JOURNAL_ERROR_NO_STAFF,      /* no staff member with this id or login */
  ZH_JOURNAL_ERROR_BAD_POLICY,    /* the school's policy cannot be read */
} ZhJournalError;

/* ZhJournalPageInfo: one page an account may open: a group of a class in one subject. */
typedef struct
{
  char  *group_id;
  char  *class_id;
  char  *class_name;    /* «5А» */
  int    grade;
  char  *subject_id;
  char  *subject_name;  /* «Иностранный язык (английский)» */
  int    subgroup;      /* 0: the whole class */
  char  *teacher_id;    /* NULL when nobody is assigned */
  char  *teacher_name;  /* «Петрова А. С.», "" when nobody is assigned */
  char  *label;         /* «5А — Математика», «7Б — Иностранный язык, 1 подгруппа» */
} ZhJournalPageInfo;

void zh_journal_page_info_free (ZhJournalPageInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZhJournalPageInfo, zh_journal_page_info_free)

/* ZhJournalPeriod: a reporting period of a page, or the whole year (id NULL). */
typedef struct
{
  char         *id;        /* NULL: the whole academic year */
  ZhPeriodKind  kind;      /* of a period; for the year, the kind of the grade's periods */
  int           number;    /* 1…; 0 for the year */
  char         *starts;
  char         *ends;
  char         *label;     /* «1 четверть», «2 полугодие», «Год» */
  char         *short_label; /* «I», «II»… for a year page's columns; «Год» */
} ZhJournalPeriod;

void zh_journal_period_free (ZhJournalPeriod *period);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZhJournalPeriod, zh_journal_period_free)

/* ZhJournalCellFlags: what a cell holds besides its marks. */
typedef enum /*< flags >*/
{
  ZH_JOURNAL_CELL_MEMBER     = 1 << 0, /* the student was in the group on the lesson's day */
  ZH_JOURNAL_CELL_ATTENDANCE = 1 << 1, /* `attendance` holds an attendance code */
  ZH_JOURNAL_CELL_CORRECTED  = 1 << 2, /* a mark here was corrected (002 §7); see the history */
} ZhJournalCellFlags;

/* ZhJournalMark: an active mark of a cell; strings belong to the page. */
typedef struct
{
  const char *id;
  const char *value;        /* a code of the school's scale: "5", "pass" */
  const char *work_type;    /* a code of the school's work types */
  double      weight;
  int         part;         /* 0; 1 and 2: the halves of a double mark (002 §5.2) */
  const char *comment;
  const char *entered_by;   /* «Петрова А. С.», "" when unknown */
  gint64      entered_at;
} ZhJournalMark;

/* ZhJournalCell: one student in one lesson. The cell's active marks are
 * page->marks[first_mark … first_mark + n_marks - 1], ordered by part and time. */
typedef struct
{
  guint32           first_mark;
  guint16           n_marks;
  guint8            flags;       /* ZhJournalCellFlags */
  guint8            attendance;  /* a ZhAttendanceCode when flags has ATTENDANCE */
} ZhJournalCell;

/* ZhJournalLesson: a column: one lesson of the group; strings belong to the page. */
typedef struct
{
  const char   *id;
  const char   *date;                 /* "YYYY-MM-DD" */
  int           number;               /* in the day */
  ZhLessonKind  kind;
  const char   *topic;                /* "" when not filled in */
  const char   *homework;             /* "" when none */
  const char   *teacher_id;
  const char   *teacher_name;         /* who taught it, «Петрова А. С.» */
  gboolean      substitute;           /* taught by a substitute (001 §5.3) */
  gint64        topic_entered_at;     /* 0: not entered */
  gint64        homework_entered_at;  /* 0: not entered */
} ZhJournalLesson;

/* ZhJournalRow: a student of the page with the summary of their row. */
typedef struct
{
  const char  *student_id;
  const char  *last_name;
  const char  *first_name;
  const char  *middle_name;
  const char  *date_from;     /* the first day of their first stay in the group that the page
                               * overlaps (group_member.date_from) */
  const char  *date_to;       /* the last day of their last stay, NULL while it goes on */
  guint        n_marks;       /* active marks of the page, all values */
  gboolean     has_average;   /* some mark counts in the weighted average */
  double       average;       /* zh_policy_weighted_average over the page's marks */
  const char  *suggested;     /* zh_policy_suggest_period_mark of it; NULL without an average */
  const char  *period_mark;   /* a period page: its mark; a year page: the year mark; or NULL */
  const char **term_marks;    /* per page->periods (a year page only): the period marks or NULL */
  const char  *exam_mark;     /* ГИА (grade 9 only, 000 §7.4), or NULL */
  const char  *final_mark;    /* Итог (grades 9 and 11), or NULL */
  gboolean     corrected;     /* the period or year mark was corrected (002 §7) */
} ZhJournalRow;

/* ZhJournalPage: one group's journal in one period or the whole year. */
typedef struct
{
  ZhPolicy         *policy;       /* the school's */
  ZhJournalPageInfo info;
  int               grade;
  char             *year_id;
  char             *year_name;    /* «2025/2026» */
  ZhJournalPeriod   period;       /* the page's period; id NULL for the whole year */
  ZhJournalPeriod  *periods;      /* the reporting periods of the grade's year, in order */
  guint             n_periods;
  gboolean          has_exam;     /* a year page of grade 9: the ГИА column (000 §7.4) */
  gboolean          has_final;    /* a year page of grade 9 or 11: the Итог column */
  ZhJournalRow     *rows;         /* sorted like a paper journal: surname, name (Ё as Е) */
  guint             n_rows;
  ZhJournalLesson  *lessons;      /* by date and number */
  guint             n_lessons;
  ZhJournalCell    *cells;        /* n_rows × n_lessons, row by row */
  ZhJournalMark    *marks;
  guint             n_marks;
} ZhJournalPage;

ZhJournalPage       *zh_journal_page_load        (ZhStore              *store,
                                                  const char           *group_id,
                                                  const char           *period_id,
                                                  GError              **error);
ZhJournalPage       *zh_journal_page_ref         (ZhJournalPage        *page);
void                 zh_journal_page_unref       (ZhJournalPage        *page);
const ZhJournalCell *zh_journal_page_get_cell    (const ZhJournalPage  *page,
                                                  guint                 row,
                                                  guint                 column);
const ZhJournalMark *zh_journal_page_get_marks   (const ZhJournalPage  *page,
                                                  const ZhJournalCell  *cell);
int                  zh_journal_page_find_row    (const ZhJournalPage  *page,
                                                  const char           *student_id);
int                  zh_journal_page_find_column (const ZhJournalPage  *page,
                                                  const char           *lesson_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZhJournalPage, zh_journal_page_unref)

/* ZhJournalAccount: who reads the journal. */
typedef struct
{
  char    *staff_id;
  char    *name;          /* «Петрова Анна Сергеевна» */
  ZhRoles  roles;
} ZhJournalAccount;

void zh_journal_account_free (ZhJournalAccount *account);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZhJournalAccount, zh_journal_account_free)

ZhJournalAccount *zh_journal_find_account   (ZhStore     *store,
                                             const char  *login,
                                             GError     **error);
GPtrArray        *zh_journal_list_pages     (ZhStore     *store,
                                             const char  *staff_id,
                                             ZhRoles      roles,
                                             const char  *year_id,
                                             GError     **error);
GPtrArray        *zh_journal_list_periods   (ZhStore     *store,
                                             const char  *group_id,
                                             GError     **error);

/* ZhJournalHistoryKind: what an entry of a cell's history records. */
typedef enum
{
  ZH_JOURNAL_HISTORY_MARK,        /* a mark entered (still active or later corrected) */
  ZH_JOURNAL_HISTORY_ATTENDANCE,  /* an absence or lateness recorded */
  ZH_JOURNAL_HISTORY_CORRECTION,  /* a correction of a mark (002 §7) */
  ZH_JOURNAL_HISTORY_CHANGE,      /* a change the service logged (audit: update, delete) */
} ZhJournalHistoryKind;

/* ZhJournalHistoryEntry: one line of a cell's history, oldest first. */
typedef struct
{
  ZhJournalHistoryKind kind;
  gint64               at;
  char                *time;      /* «14.11.2026 10:32» in the school's time zone */
  char                *author;    /* «Петрова А. С.», "" when unknown */
  char                *text;      /* «5 — Контрольная работа, вес 2», «н — отсутствовал» */
  char                *reason;    /* a correction's reason in words, else NULL */
  char                *document;  /* a correction's document, else NULL */
  gboolean             active;    /* a mark still in force */
} ZhJournalHistoryEntry;

void zh_journal_history_entry_free (ZhJournalHistoryEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZhJournalHistoryEntry, zh_journal_history_entry_free)

GPtrArray  *zh_journal_cell_history         (ZhStore     *store,
                                             const char  *student_id,
                                             const char  *lesson_id,
                                             GError     **error);

/* Words for the journal's codes, translated. */
const char *zh_journal_lesson_kind_title    (ZhLessonKind        kind);
const char *zh_journal_lesson_kind_marker   (ZhLessonKind        kind);
const char *zh_journal_attendance_title     (ZhAttendanceCode    code);
const char *zh_journal_correction_reason_title (ZhCorrectionReason reason);
char       *zh_journal_format_time          (const ZhPolicy     *policy,
                                             gint64              time);

G_END_DECLS
