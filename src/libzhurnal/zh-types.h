/* zh-types.h: the enumerations of the Zhurnal data model.
 *
 * Each enum is registered as a GType by gnome.mkenums_simple; its value nicks are the codes used in
 * SQLite, in JSON and in the REST API, so a code is spelled once, here.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Reporting period structure (REQUIREMENTS §5; 001 §4.2, 002 §5.1). */
typedef enum
{
  ZH_PERIOD_KIND_QUARTER,   /*< nick=quarter >*/
  ZH_PERIOD_KIND_TRIMESTER, /*< nick=trimester >*/
  ZH_PERIOD_KIND_HALF,      /*< nick=half >*/
  ZH_PERIOD_KIND_MODULE,    /*< nick=module >*/
} ZhPeriodKind;

/* Staff roles (REQUIREMENTS §1); a staff member has a set of them. */
typedef enum /*< flags >*/
{
  ZH_ROLE_NONE          = 0,      /*< skip >*/
  ZH_ROLE_ADMIN         = 1 << 0, /*< nick=admin >*/
  ZH_ROLE_DEPUTY        = 1 << 1, /*< nick=deputy >*/
  ZH_ROLE_DIRECTOR      = 1 << 2, /*< nick=director >*/
  ZH_ROLE_CLASS_TEACHER = 1 << 3, /*< nick=class_teacher >*/
  ZH_ROLE_TEACHER       = 1 << 4, /*< nick=teacher >*/
} ZhRoles;

typedef enum
{
  ZH_GENDER_FEMALE, /*< nick=female >*/
  ZH_GENDER_MALE,   /*< nick=male >*/
} ZhGender;

/* Why a stay in a class began. */
typedef enum
{
  ZH_ENROLL_REASON_START,    /*< nick=start >*/
  ZH_ENROLL_REASON_ARRIVAL,  /*< nick=arrival >*/
  ZH_ENROLL_REASON_TRANSFER, /*< nick=transfer >*/
} ZhEnrollReason;

/* Why a stay in a class ended; NONE while it goes on (stored as NULL). */
typedef enum
{
  ZH_END_REASON_NONE,       /*< nick=none >*/
  ZH_END_REASON_DEPARTURE,  /*< nick=departure >*/
  ZH_END_REASON_TRANSFER,   /*< nick=transfer >*/
  ZH_END_REASON_GRADUATION, /*< nick=graduation >*/
} ZhEndReason;

/* Lesson kinds (REQUIREMENTS §2; 001 §5.3, 002 §5.2). */
typedef enum
{
  ZH_LESSON_KIND_LESSON,      /*< nick=lesson >*/
  ZH_LESSON_KIND_TEST,        /*< nick=test >*/        /* контрольная работа */
  ZH_LESSON_KIND_LAB,         /*< nick=lab >*/         /* лабораторная работа */
  ZH_LESSON_KIND_PRACTICAL,   /*< nick=practical >*/   /* практическая работа */
  ZH_LESSON_KIND_EXCURSION,   /*< nick=excursion >*/
  ZH_LESSON_KIND_ESSAY,       /*< nick=essay >*/       /* сочинение */
  ZH_LESSON_KIND_EXPOSITION,  /*< nick=exposition >*/  /* изложение */
  ZH_LESSON_KIND_DICTATION,   /*< nick=dictation >*/   /* диктант */
  ZH_LESSON_KIND_QUIZ,        /*< nick=quiz >*/        /* тест */
} ZhLessonKind;

typedef enum
{
  ZH_MARK_STATE_ACTIVE,    /*< nick=active >*/
  ZH_MARK_STATE_CORRECTED, /*< nick=corrected >*/
} ZhMarkState;

/* Attendance codes (002 §5.3, 000 §4.3.3, 004 §4.3.6): an absence is recorded as ABSENT on the
 * day; the class teacher then sets its reason (ILL, VALID, INVALID). */
typedef enum
{
  ZH_ATTENDANCE_ABSENT,  /*< nick=absent >*/   /* н */
  ZH_ATTENDANCE_ILL,     /*< nick=ill >*/      /* б */
  ZH_ATTENDANCE_VALID,   /*< nick=valid >*/    /* у */
  ZH_ATTENDANCE_INVALID, /*< nick=invalid >*/  /* п */
  ZH_ATTENDANCE_LATE,    /*< nick=late >*/     /* оп */
} ZhAttendanceCode;

typedef enum
{
  ZH_PERIOD_MARK_KIND_PERIOD, /*< nick=period >*/
  ZH_PERIOD_MARK_KIND_YEAR,   /*< nick=year >*/
  ZH_PERIOD_MARK_KIND_EXAM,   /*< nick=exam >*/   /* ГИА */
  ZH_PERIOD_MARK_KIND_FINAL,  /*< nick=final >*/  /* Итог */
} ZhPeriodMarkKind;

typedef enum
{
  ZH_CORRECTION_TARGET_MARK,        /*< nick=mark >*/
  ZH_CORRECTION_TARGET_PERIOD_MARK, /*< nick=period_mark >*/
} ZhCorrectionTarget;

/* The only reasons a mark may be corrected (002 §7; REQUIREMENTS §4). */
typedef enum
{
  ZH_CORRECTION_REASON_DEBT_CLEARED,    /*< nick=debt_cleared >*/
  ZH_CORRECTION_REASON_NOT_OBJECTIVE,   /*< nick=not_objective >*/
  ZH_CORRECTION_REASON_TEACHER_REQUEST, /*< nick=teacher_request >*/
  ZH_CORRECTION_REASON_APPEAL_UPHELD,   /*< nick=appeal_upheld >*/
  ZH_CORRECTION_REASON_REATTESTATION,   /*< nick=reattestation >*/
} ZhCorrectionReason;

typedef enum
{
  ZH_AUDIT_ACTION_CREATE,  /*< nick=create >*/
  ZH_AUDIT_ACTION_UPDATE,  /*< nick=update >*/
  ZH_AUDIT_ACTION_DELETE,  /*< nick=delete >*/
  ZH_AUDIT_ACTION_CORRECT, /*< nick=correct >*/
  ZH_AUDIT_ACTION_IMPORT,  /*< nick=import >*/
  ZH_AUDIT_ACTION_LOGIN,   /*< nick=login >*/
  ZH_AUDIT_ACTION_LOGOUT,  /*< nick=logout >*/
} ZhAuditAction;

G_END_DECLS
