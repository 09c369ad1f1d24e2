/* zh-model.h: the entities of the Zhurnal data model (DESIGN.md §2) as plain C types.
 *
 * Every entity is a struct with a constructor, a free function and g_autoptr cleanup. Each also
 * has a ZhEntityInfo that lists its fields (name, type, offset), so the JSON codecs, the SQLite
 * store and the service's changes feed treat all entities alike instead of repeating fifteen
 * hand-written copies of the same code. Field names are the SQLite column names and the JSON
 * member names of data/schema/schema.sql and data/api/openapi.yaml.
 *
 * Conventions, as in the schema: ids are UUID strings; dates are "YYYY-MM-DD" strings; times are
 * gint64 seconds since the epoch (0 stands for "not set" where a time is optional) and travel in
 * JSON as ISO 8601 UTC strings; enums are the nicks of zh-types.h.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "zh-types.h"
#include "zh-enums.h"

G_BEGIN_DECLS

#define ZH_MODEL_ERROR (zh_model_error_quark ())
GQuark zh_model_error_quark (void);

/* ZhModelError: what is wrong with an entity's JSON or value. The message names the field. */
typedef enum
{
  ZH_MODEL_ERROR_NOT_OBJECT,     /* the value is not a JSON object */
  ZH_MODEL_ERROR_MISSING_FIELD,  /* a required member is absent or null */
  ZH_MODEL_ERROR_WRONG_TYPE,     /* a member has the wrong JSON type */
  ZH_MODEL_ERROR_INVALID_VALUE,  /* a member has the right type but a bad value (date, UUID, enum) */
  ZH_MODEL_ERROR_UNKNOWN_FIELD,  /* a member the entity does not have */
  ZH_MODEL_ERROR_UNKNOWN_ENTITY, /* an entity name that does not exist */
} ZhModelError;

typedef enum
{
  ZH_FIELD_UUID,   /* char *, a UUID */
  ZH_FIELD_STRING, /* char *, UTF-8 text */
  ZH_FIELD_DATE,   /* char *, "YYYY-MM-DD" */
  ZH_FIELD_TIME,   /* gint64 seconds since the epoch, JSON "2026-11-23T09:15:00Z" */
  ZH_FIELD_INT,    /* gint64 */
  ZH_FIELD_REAL,   /* double */
  ZH_FIELD_BOOL,   /* gboolean */
  ZH_FIELD_ENUM,   /* int, a value of the enum GType in ZhField.enum_type */
  ZH_FIELD_FLAGS,  /* guint, a set of the flags GType in ZhField.enum_type; JSON array of nicks */
  ZH_FIELD_JSON,   /* char *, a JSON object kept as text (the school's policy) */
} ZhFieldType;

typedef enum
{
  ZH_FIELD_REQUIRED = 1 << 0, /* must be present and not null in JSON */
  ZH_FIELD_NULLABLE = 1 << 1, /* may be null: NULL string, 0 time, enum's 0 value for end_reason */
  ZH_FIELD_SERVER   = 1 << 2, /* set by the service only (rev, received_at): never required from a client */
} ZhFieldFlags;

typedef struct
{
  const char   *name;
  ZhFieldType   type;
  ZhFieldFlags  flags;
  gsize         offset;
  GType       (*enum_type) (void);
  gint64        default_value; /* of an INT or BOOL field when absent, as the schema's DEFAULT */
} ZhField;

typedef struct _ZhEntityInfo ZhEntityInfo;
struct _ZhEntityInfo
{
  const char    *name;        /* "mark": the entity's name in the batch API and the outbox */
  const char    *table;       /* "mark": its SQLite table */
  const char    *collection;  /* "marks": its REST collection, /api/v1/marks */
  gsize          size;        /* sizeof the struct */
  const ZhField *fields;
  guint          n_fields;
};

/* The fields every entity starts with. */
#define ZH_ENTITY_HEADER \
  char  *id;             \
  gint64 rev

typedef struct { ZH_ENTITY_HEADER; } ZhEntity;

typedef struct
{
  ZH_ENTITY_HEADER;
  char *name;
  char *full_name;
  char *address;
  char *director;
  char *policy;            /* JSON object, see zh-policy.h */
} ZhSchool;

typedef struct
{
  ZH_ENTITY_HEADER;
  char *school_id;
  char *name;              /* «2025/2026» */
  char *starts;
  char *ends;
} ZhAcademicYear;

typedef struct
{
  ZH_ENTITY_HEADER;
  char        *year_id;
  ZhPeriodKind kind;
  gint64       number;
  char        *starts;
  char        *ends;
  gint64       grade_from;
  gint64       grade_to;
} ZhPeriod;

typedef struct
{
  ZH_ENTITY_HEADER;
  char    *school_id;
  char    *last_name;
  char    *first_name;
  char    *middle_name;
  ZhRoles  roles;
  char    *position;
  char    *login;          /* NULL for staff without an account */
  gboolean active;
} ZhStaff;

typedef struct
{
  ZH_ENTITY_HEADER;
  char  *year_id;
  gint64 grade;
  char  *letter;
  char  *class_teacher_id;
} ZhClass;

typedef struct
{
  ZH_ENTITY_HEADER;
  char    *school_id;
  char    *last_name;
  char    *first_name;
  char    *middle_name;
  char    *birth_date;
  ZhGender gender;
} ZhStudent;

typedef struct
{
  ZH_ENTITY_HEADER;
  char          *student_id;
  char          *class_id;
  char          *date_from;
  char          *date_to;
  ZhEnrollReason reason;
  ZhEndReason    end_reason;
} ZhEnrollment;

typedef struct
{
  ZH_ENTITY_HEADER;
  char *school_id;
  char *name;
  char *short_name;
} ZhSubject;

typedef struct
{
  ZH_ENTITY_HEADER;
  char  *class_id;
  char  *subject_id;
  gint64 subgroup;         /* 0: the whole class */
  char  *teacher_id;
} ZhGroup;

typedef struct
{
  ZH_ENTITY_HEADER;
  char *group_id;
  char *student_id;
  char *date_from;
  char *date_to;
} ZhGroupMember;

typedef struct
{
  ZH_ENTITY_HEADER;
  char  *class_id;
  char  *subject_id;
  double hours_per_week;
  gint64 hours_per_year;
} ZhCurriculum;

typedef struct
{
  ZH_ENTITY_HEADER;
  char  *group_id;
  gint64 number;
  char  *topic;
  gint64 hours;
} ZhPlanItem;

typedef struct
{
  ZH_ENTITY_HEADER;
  char  *group_id;
  gint64 weekday;          /* 1 = Monday */
  gint64 number;
  char  *valid_from;
  char  *valid_to;
  char  *room;
} ZhTimetableSlot;

typedef struct
{
  ZH_ENTITY_HEADER;
  char        *group_id;
  char        *date;
  gint64       number;
  ZhLessonKind kind;
  char        *topic;
  char        *homework;
  char        *plan_item_id;
  char        *teacher_id;
  gboolean     substitute;
  gint64       topic_entered_at;
  gint64       homework_entered_at;
  char        *entered_by;
  gint64       received_at;
} ZhLesson;

typedef struct
{
  ZH_ENTITY_HEADER;
  char       *lesson_id;
  char       *student_id;
  char       *value;       /* a code of the school's mark scale: "1".."5", "pass", "fail" */
  char       *work_type;   /* a code of the school's work types */
  double      weight;
  gint64      part;        /* 0; 1 or 2 for the two halves of a double mark */
  char       *comment;
  ZhMarkState state;
  char       *entered_by;
  gint64      entered_at;
  gint64      received_at;
} ZhMark;

typedef struct
{
  ZH_ENTITY_HEADER;
  char            *lesson_id;
  char            *student_id;
  ZhAttendanceCode code;
  char            *comment;
  char            *entered_by;
  gint64           entered_at;
  gint64           received_at;
} ZhAttendance;

typedef struct
{
  ZH_ENTITY_HEADER;
  char            *student_id;
  char            *group_id;
  ZhPeriodMarkKind kind;
  char            *period_id;
  char            *value;
  ZhMarkState      state;
  char            *entered_by;
  gint64           entered_at;
  gint64           received_at;
} ZhPeriodMark;

typedef struct
{
  ZH_ENTITY_HEADER;
  ZhCorrectionTarget target_kind;
  char              *target_id;
  char              *old_value;
  char              *new_value;
  ZhCorrectionReason reason;
  char              *document;
  char              *authorised_by;
  gint64             at;
} ZhCorrection;

/* The entity descriptions, in dependency order (a row only refers to rows of earlier entities). */
extern const ZhEntityInfo zh_school_info;
extern const ZhEntityInfo zh_academic_year_info;
extern const ZhEntityInfo zh_period_info;
extern const ZhEntityInfo zh_staff_info;
extern const ZhEntityInfo zh_class_info;
extern const ZhEntityInfo zh_student_info;
extern const ZhEntityInfo zh_enrollment_info;
extern const ZhEntityInfo zh_subject_info;
extern const ZhEntityInfo zh_group_info;
extern const ZhEntityInfo zh_group_member_info;
extern const ZhEntityInfo zh_curriculum_info;
extern const ZhEntityInfo zh_plan_item_info;
extern const ZhEntityInfo zh_timetable_slot_info;
extern const ZhEntityInfo zh_lesson_info;
extern const ZhEntityInfo zh_mark_info;
extern const ZhEntityInfo zh_attendance_info;
extern const ZhEntityInfo zh_period_mark_info;
extern const ZhEntityInfo zh_correction_info;

/* All entity descriptions in dependency order, NULL-terminated. */
extern const ZhEntityInfo * const zh_entities[];

const ZhEntityInfo *zh_entity_info_lookup (const char *name);
const ZhField      *zh_entity_info_find_field (const ZhEntityInfo *info,
                                               const char         *name);

/* Generic operations on any entity struct described by @info. */
gpointer  zh_entity_new       (const ZhEntityInfo *info);
void      zh_entity_free      (const ZhEntityInfo *info,
                               gpointer            entity);
gpointer  zh_entity_copy      (const ZhEntityInfo *info,
                               gconstpointer       entity);
gboolean  zh_entity_equal     (const ZhEntityInfo *info,
                               gconstpointer       a,
                               gconstpointer       b);
gpointer  zh_entity_from_json (const ZhEntityInfo *info,
                               JsonNode           *node,
                               GError            **error);
JsonNode *zh_entity_to_json   (const ZhEntityInfo *info,
                               gconstpointer       entity);
char     *zh_entity_to_string (const ZhEntityInfo *info,
                               gconstpointer       entity);
gpointer  zh_entity_from_string (const ZhEntityInfo *info,
                                 const char         *json,
                                 gssize              length,
                                 GError            **error);

/* Value helpers shared by the codecs, the store and the policy. */
gboolean  zh_uuid_is_valid    (const char *str);
char     *zh_uuid_new         (void);
gboolean  zh_date_is_valid    (const char *str);
gboolean  zh_date_parse       (const char *str,
                               GDate      *date);
char     *zh_date_format      (const GDate *date);
char     *zh_time_to_iso8601  (gint64 seconds);
gboolean  zh_time_from_iso8601 (const char *str,
                                gint64     *seconds);
const char *zh_enum_to_nick   (GType       enum_type,
                               int         value);
gboolean  zh_enum_from_nick   (GType       enum_type,
                               const char *nick,
                               int        *value);

/* Typed constructors, free functions, JSON codecs and autoptr cleanup for each entity. */
#define ZH_DECLARE_ENTITY(TypeName, func_prefix)                                        \
  TypeName *func_prefix##_new (void);                                                  \
  void      func_prefix##_free (TypeName *self);                                       \
  TypeName *func_prefix##_copy (const TypeName *self);                                 \
  TypeName *func_prefix##_from_json (JsonNode *node, GError **error);                  \
  JsonNode *func_prefix##_to_json (const TypeName *self);                              \
  G_DEFINE_AUTOPTR_CLEANUP_FUNC (TypeName, func_prefix##_free)

ZH_DECLARE_ENTITY (ZhSchool, zh_school)
ZH_DECLARE_ENTITY (ZhAcademicYear, zh_academic_year)
ZH_DECLARE_ENTITY (ZhPeriod, zh_period)
ZH_DECLARE_ENTITY (ZhStaff, zh_staff)
ZH_DECLARE_ENTITY (ZhClass, zh_class)
ZH_DECLARE_ENTITY (ZhStudent, zh_student)
ZH_DECLARE_ENTITY (ZhEnrollment, zh_enrollment)
ZH_DECLARE_ENTITY (ZhSubject, zh_subject)
ZH_DECLARE_ENTITY (ZhGroup, zh_group)
ZH_DECLARE_ENTITY (ZhGroupMember, zh_group_member)
ZH_DECLARE_ENTITY (ZhCurriculum, zh_curriculum)
ZH_DECLARE_ENTITY (ZhPlanItem, zh_plan_item)
ZH_DECLARE_ENTITY (ZhTimetableSlot, zh_timetable_slot)
ZH_DECLARE_ENTITY (ZhLesson, zh_lesson)
ZH_DECLARE_ENTITY (ZhMark, zh_mark)
ZH_DECLARE_ENTITY (ZhAttendance, zh_attendance)
ZH_DECLARE_ENTITY (ZhPeriodMark, zh_period_mark)
ZH_DECLARE_ENTITY (ZhCorrection, zh_correction)

/* Names for people and classes as a journal prints them. */
char *zh_staff_dup_full_name   (const ZhStaff *self);   /* «Иванова Анна Петровна» */
char *zh_staff_dup_short_name  (const ZhStaff *self);   /* «Иванова А. П.» */
char *zh_student_dup_full_name (const ZhStudent *self);
char *zh_class_dup_name        (const ZhClass *self);   /* «5А» */

G_END_DECLS
