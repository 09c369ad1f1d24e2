/* zh-policy.h: a school's policy (DESIGN.md §5) and the rules of the journal as pure functions.
 *
 * A ZhPolicy is the parsed form of `school.policy`, a JSON object whose members are all optional
 * ("{}" means the defaults of REQUIREMENTS.md §3). It is immutable and reference counted, so the
 * service's threads and the client share one. The rules below read only their arguments and the
 * policy: the client runs them before an edit (offline too) and the service runs the very same
 * functions on every write, so both always agree.
 *
 * Every refusal is a ZhPolicyError whose nick (zh_policy_error_to_code) is the stable code the
 * API sends, with a translated message that says what is not allowed and why.
 */
#pragma once

#include <glib-object.h>

#include "zh-model.h"

G_BEGIN_DECLS

#define ZH_POLICY_ERROR (zh_policy_error_quark ())
GQuark zh_policy_error_quark (void);

/* ZhPolicyError: why a policy document is refused or why a rule refuses an edit. The nick of each
 * code is the string the API sends in `{code, message, field}`; never rename one. */
typedef enum
{
  /* The policy document itself: not a JSON object, an unknown member, a wrong JSON type, a bad
   * value. */
  ZH_POLICY_ERROR_PARSE,                   /*< nick=policy_parse >*/
  ZH_POLICY_ERROR_UNKNOWN_SETTING,         /*< nick=policy_unknown_setting >*/
  ZH_POLICY_ERROR_WRONG_TYPE,              /*< nick=policy_wrong_type >*/
  ZH_POLICY_ERROR_INVALID_VALUE,           /*< nick=policy_invalid_value >*/
  /* Values: not on the school's scale; on it but not allowed here (current or period); «освобождён»
   * (002 §5.2, 004 §5.3); «н/а» as a period mark (004 §5.3); not an attendance code or form of
   * control of the school; a lesson number off the bell schedule; too few marks (000 §7.2). */
  ZH_POLICY_ERROR_UNKNOWN_MARK_VALUE,      /*< nick=unknown_mark_value >*/
  ZH_POLICY_ERROR_MARK_VALUE_NOT_ALLOWED,  /*< nick=mark_value_not_allowed >*/
  ZH_POLICY_ERROR_EXEMPT_FORBIDDEN,        /*< nick=exempt_forbidden >*/
  ZH_POLICY_ERROR_NOT_ASSESSED_FORBIDDEN,  /*< nick=not_assessed_forbidden >*/
  ZH_POLICY_ERROR_UNKNOWN_ATTENDANCE_CODE, /*< nick=unknown_attendance_code >*/
  ZH_POLICY_ERROR_UNKNOWN_WORK_TYPE,       /*< nick=unknown_work_type >*/
  ZH_POLICY_ERROR_UNKNOWN_LESSON_NUMBER,   /*< nick=unknown_lesson_number >*/
  ZH_POLICY_ERROR_TOO_FEW_MARKS,           /*< nick=too_few_marks >*/
  /* Who may edit what, and when (zh_policy_may_edit): a request with a bad date or grade; the
   * role; not the user's group; not the user's class (002 §5.3); no marks or homework in this
   * grade (000 §3.11, 004 §3.9); a mark already entered (002 §5.2); past the edit window
   * (004 §3.6); homework for a past lesson (002 §5.2); a lesson yet to come; past the period
   * marks window (000 §4.2.4); a correction without a reason or a document (002 §7). */
  ZH_POLICY_ERROR_INVALID_REQUEST,         /*< nick=invalid_request >*/
  ZH_POLICY_ERROR_NOT_PERMITTED,           /*< nick=not_permitted >*/
  ZH_POLICY_ERROR_NOT_OWN_GROUP,           /*< nick=not_own_group >*/
  ZH_POLICY_ERROR_NOT_OWN_CLASS,           /*< nick=not_own_class >*/
  ZH_POLICY_ERROR_MARKS_NOT_ALLOWED,       /*< nick=marks_not_allowed >*/
  ZH_POLICY_ERROR_HOMEWORK_NOT_ALLOWED,    /*< nick=homework_not_allowed >*/
  ZH_POLICY_ERROR_MARK_LOCKED,             /*< nick=mark_locked >*/
  ZH_POLICY_ERROR_EDIT_WINDOW_CLOSED,      /*< nick=edit_window_closed >*/
  ZH_POLICY_ERROR_HOMEWORK_PAST_LESSON,    /*< nick=homework_past_lesson >*/
  ZH_POLICY_ERROR_LESSON_IN_FUTURE,        /*< nick=lesson_in_future >*/
  ZH_POLICY_ERROR_PERIOD_MARKS_CLOSED,     /*< nick=period_marks_closed >*/
  ZH_POLICY_ERROR_CORRECTION_REASON,       /*< nick=correction_reason_invalid >*/
  ZH_POLICY_ERROR_CORRECTION_DOCUMENT,     /*< nick=correction_document_missing >*/
} ZhPolicyError;

/* Where a mark value may appear. */
typedef enum /*< flags >*/
{
  ZH_MARK_USE_NONE    = 0,      /*< skip >*/
  ZH_MARK_USE_CURRENT = 1 << 0, /*< nick=current >*/
  ZH_MARK_USE_PERIOD  = 1 << 1, /*< nick=period >*/
} ZhMarkUse;

/* The edits zh_policy_may_edit decides on. */
typedef enum
{
  ZH_EDIT_ADD_MARK,           /*< nick=add_mark >*/
  ZH_EDIT_CHANGE_MARK,        /*< nick=change_mark >*/        /* value, work type or comment */
  ZH_EDIT_DELETE_MARK,        /*< nick=delete_mark >*/
  ZH_EDIT_SET_ABSENCE,        /*< nick=set_absence >*/        /* «н» or «оп» on the day */
  ZH_EDIT_SET_ABSENCE_REASON, /*< nick=set_absence_reason >*/ /* «б», «у», «п» */
  ZH_EDIT_CLEAR_ABSENCE,      /*< nick=clear_absence >*/
  ZH_EDIT_SET_TOPIC,          /*< nick=set_topic >*/
  ZH_EDIT_SET_HOMEWORK,       /*< nick=set_homework >*/
  ZH_EDIT_SET_LESSON,         /*< nick=set_lesson >*/         /* kind, number, substitution */
  ZH_EDIT_SET_PERIOD_MARK,    /*< nick=set_period_mark >*/
  ZH_EDIT_CORRECT_MARK,       /*< nick=correct_mark >*/       /* a correction under 002 §7 */
} ZhEditKind;

/* The records that have an entry deadline (REQUIREMENTS §3). */
typedef enum
{
  ZH_RECORD_TOPIC,      /*< nick=topic >*/      /* 000 §3.5.2, 001 §5.4 */
  ZH_RECORD_ABSENCE,    /*< nick=absence >*/    /* 000 §4.2.1, 001 §5.4 */
  ZH_RECORD_HOMEWORK,   /*< nick=homework >*/   /* 000 §4.2.2, 001 §5.5 */
  ZH_RECORD_MARK,       /*< nick=mark >*/       /* 000 §4.2.3, 001 §5.6 */
} ZhRecordKind;

typedef enum
{
  ZH_DEADLINE_NOT_DUE,  /*< nick=not_due >*/    /* not entered, and there is still time */
  ZH_DEADLINE_ON_TIME,  /*< nick=on_time >*/
  ZH_DEADLINE_LATE,     /*< nick=late >*/
  ZH_DEADLINE_MISSING,  /*< nick=missing >*/    /* not entered, and the deadline has passed */
} ZhDeadlineStatus;

/* ZhEditRequest: everything zh_policy_may_edit needs to know about one edit. The caller fills the
 * facts it knows from the data (is this user the group's teacher, …); the rule derives "future"
 * and "past" itself from the dates and `now` in the school's time zone, so the client and the
 * service cannot disagree about them. Strings are borrowed. */
typedef struct
{
  ZhEditKind         kind;
  ZhRoles            roles;                       /* of the user making the edit */
  gboolean           teaches_group;               /* the user teaches the lesson's group */
  gboolean           substitutes_lesson;          /* the user substitutes in this lesson */
  gboolean           is_class_teacher_of_student; /* the user is the class teacher of the student */
  int                grade;                       /* 1..11, the class of the group */
  const char        *date;        /* "YYYY-MM-DD": the lesson's date; the period's last day for
                                   * SET_PERIOD_MARK; unused for CORRECT_MARK */
  const char        *year_start;  /* "YYYY-MM-DD": first day of the academic year */
  gint64             now;         /* seconds since the epoch: when the user makes the edit; the
                                   * service passes the operation's entered_at, the time of entry
                                   * that deadlines are judged by (DESIGN.md §4) */
  /* CHANGE_MARK, DELETE_MARK, and SET_PERIOD_MARK over an existing period mark: */
  gboolean           replaces_mark;     /* SET_PERIOD_MARK: the student has a period mark here */
  gboolean           own_mark;          /* the mark was entered by this user */
  gint64             mark_entered_at;   /* when it was entered */
  /* SET_HOMEWORK: */
  gboolean           has_homework;      /* the lesson has homework already: a change, not an
                                         * addition */
  /* CORRECT_MARK: */
  ZhCorrectionReason correction_reason;
  const char        *correction_document; /* the reference of the authorising document */
} ZhEditRequest;

typedef struct _ZhPolicy ZhPolicy;

#define ZH_TYPE_POLICY (zh_policy_get_type ())
GType       zh_policy_get_type              (void) G_GNUC_CONST;

ZhPolicy   *zh_policy_new_default           (void);
ZhPolicy   *zh_policy_new_from_json         (const char      *json,
                                             GError         **error);
char       *zh_policy_to_json               (const ZhPolicy  *self);
ZhPolicy   *zh_policy_ref                   (ZhPolicy        *self);
void        zh_policy_unref                 (ZhPolicy        *self);

const char *zh_policy_error_to_code         (const GError    *error);
gboolean    zh_policy_error_from_code       (const char      *code,
                                             ZhPolicyError   *out_code);

/* Settings. */
const char *zh_policy_get_timezone_id       (const ZhPolicy  *self);
GTimeZone  *zh_policy_get_timezone          (const ZhPolicy  *self);
guint       zh_policy_get_n_lessons         (const ZhPolicy  *self);
guint       zh_policy_get_lesson_minutes    (const ZhPolicy  *self);
guint       zh_policy_get_record_deadline   (const ZhPolicy  *self);
guint       zh_policy_get_homework_deadline_minutes (const ZhPolicy *self);
guint       zh_policy_get_marks_deadline_days (const ZhPolicy *self);
guint       zh_policy_get_period_marks_deadline_days (const ZhPolicy *self);
guint       zh_policy_get_edit_window_days  (const ZhPolicy  *self);
guint       zh_policy_get_undo_seconds      (const ZhPolicy  *self);
void        zh_policy_get_rounding          (const ZhPolicy  *self,
                                             double          *for_5,
                                             double          *for_4,
                                             double          *for_3);
gboolean    zh_policy_role_may_correct      (const ZhPolicy  *self,
                                             ZhRoles          roles);
ZhPeriodKind zh_policy_get_period_kind      (const ZhPolicy  *self,
                                             int              grade);

/* Dictionaries: work types, the mark scale, attendance codes. */
guint       zh_policy_get_n_work_types      (const ZhPolicy  *self);
const char *zh_policy_get_work_type_code    (const ZhPolicy  *self,
                                             guint            index);
gboolean    zh_policy_lookup_work_type      (const ZhPolicy  *self,
                                             const char      *code,
                                             const char     **title,
                                             const char     **abbreviation,
                                             double          *weight);
gboolean    zh_policy_check_work_type       (const ZhPolicy  *self,
                                             const char      *code,
                                             GError         **error);
guint       zh_policy_get_n_mark_values     (const ZhPolicy  *self);
const char *zh_policy_get_mark_value_code   (const ZhPolicy  *self,
                                             guint            index);
gboolean    zh_policy_lookup_mark_value     (const ZhPolicy  *self,
                                             const char      *code,
                                             const char     **text,
                                             gboolean        *numeric,
                                             double          *value,
                                             ZhMarkUse       *use);
const char *zh_policy_get_mark_text         (const ZhPolicy  *self,
                                             const char      *code);
const char *zh_policy_get_attendance_text   (const ZhPolicy  *self,
                                             ZhAttendanceCode code);
gboolean    zh_policy_attendance_from_text  (const ZhPolicy  *self,
                                             const char      *text,
                                             ZhAttendanceCode *code);

/* Time: the school's clock. */
GDateTime  *zh_policy_lesson_start          (const ZhPolicy  *self,
                                             const char      *date,
                                             int              number,
                                             GError         **error);
GDateTime  *zh_policy_lesson_end            (const ZhPolicy  *self,
                                             const char      *date,
                                             int              number,
                                             GError         **error);
void        zh_policy_local_date            (const ZhPolicy  *self,
                                             gint64           time,
                                             GDate           *date);

/* Rules. */
gboolean    zh_policy_weighted_average      (const ZhPolicy  *self,
                                             ZhMark         **marks,
                                             guint            n_marks,
                                             double          *average,
                                             guint           *count);
const char *zh_policy_suggest_period_mark   (const ZhPolicy  *self,
                                             double           average);
guint       zh_policy_min_marks             (const ZhPolicy  *self,
                                             double           hours_per_week);
gboolean    zh_policy_check_enough_marks    (const ZhPolicy  *self,
                                             double           hours_per_week,
                                             guint            n_marks,
                                             GError         **error);
gboolean    zh_policy_check_mark_value      (const ZhPolicy  *self,
                                             const char      *value,
                                             gboolean         period_mark,
                                             GError         **error);
gboolean    zh_policy_check_attendance_code (const ZhPolicy  *self,
                                             const char      *code,
                                             ZhAttendanceCode *out_code,
                                             GError         **error);
gboolean    zh_policy_marks_allowed         (const ZhPolicy  *self,
                                             int              grade,
                                             const GDate     *date,
                                             const GDate     *year_start);
gboolean    zh_policy_may_edit              (const ZhPolicy  *self,
                                             const ZhEditRequest *request,
                                             GError         **error);
gboolean    zh_policy_deadline              (const ZhPolicy  *self,
                                             ZhRecordKind     kind,
                                             const char      *lesson_date,
                                             int              lesson_number,
                                             gint64          *deadline,
                                             GError         **error);
ZhDeadlineStatus zh_policy_deadline_status  (const ZhPolicy  *self,
                                             ZhRecordKind     kind,
                                             const char      *lesson_date,
                                             int              lesson_number,
                                             gint64           entered_at,
                                             gint64           now);
gint64      zh_policy_period_marks_deadline (const ZhPolicy  *self,
                                             const char      *period_end);
ZhDeadlineStatus zh_policy_period_marks_deadline_status (const ZhPolicy *self,
                                                         const char     *period_end,
                                                         gint64          entered_at,
                                                         gint64          now);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZhPolicy, zh_policy_unref)

G_END_DECLS
