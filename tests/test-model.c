/* test-model: the entity codecs keep every field through JSON, refuse every kind of bad input with
 * an error that names the field, and the value helpers (UUIDv7, dates, times, enum nicks, printed
 * names) do what zh-model.h promises. */
#define G_LOG_DOMAIN "test-model"

#include "config.h"

#include <math.h>
#include <string.h>

#include "zh-feed-decoder-private.h"
#include "zh-model.h"

/* 2026-11-23T09:15:00Z */
#define MONDAY_0915 G_GINT64_CONSTANT (1795425300)

#define POLICY_JSON "{\"marks\":[1,2],\"name\":\"ёлка\",\"nested\":{\"ok\":true}}"

/* ---- Filling entities ------------------------------------------------------------------------ */

static int
last_enum_value (GType type)
{
  GEnumClass *klass = g_type_class_ref (type);
  int value = klass->values[klass->n_values - 1].value;

  g_type_class_unref (klass);
  return value;
}

static guint
all_flags (GType type)
{
  GFlagsClass *klass = g_type_class_ref (type);
  guint mask = klass->mask;

  g_type_class_unref (klass);
  return mask;
}

#define AT(entity, field, type) ((type *) (gpointer) ((guint8 *) (entity) + (field)->offset))

/* An entity of @info with a value other than the default in every field. */
static gpointer
fill_entity (const ZhEntityInfo *info)
{
  gpointer entity = zh_entity_new (info);

  for (guint i = 0; i < info->n_fields; i++)
    {
      const ZhField *field = &info->fields[i];

      switch (field->type)
        {
        case ZH_FIELD_UUID:
          *AT (entity, field, char *) = zh_uuid_new ();
          break;
        case ZH_FIELD_STRING:
          /* Quotes, a backslash, control characters and Cyrillic with ё must all survive. */
          *AT (entity, field, char *) = g_strdup_printf ("Ёлка «%s» \"q\" \\ \n\tконец", field->name);
          break;
        case ZH_FIELD_DATE:
          *AT (entity, field, char *) = g_strdup_printf ("2026-11-%02u", 1 + i);
          break;
        case ZH_FIELD_JSON:
          *AT (entity, field, char *) = g_strdup (POLICY_JSON);
          break;
        case ZH_FIELD_TIME:
          *AT (entity, field, gint64) = MONDAY_0915 + i;
          break;
        case ZH_FIELD_INT:
          *AT (entity, field, gint64) = 2 + i;
          break;
        case ZH_FIELD_REAL:
          *AT (entity, field, double) = 1.25 + i;
          break;
        case ZH_FIELD_BOOL:
          *AT (entity, field, gboolean) = TRUE;
          break;
        case ZH_FIELD_ENUM:
          *AT (entity, field, int) = last_enum_value (field->enum_type ());
          break;
        case ZH_FIELD_FLAGS:
          *AT (entity, field, guint) = all_flags (field->enum_type ());
          break;
        default:
          g_assert_not_reached ();
        }
    }
  return entity;
}

/* Change @field of @entity to another value. */
static void
change_field (gpointer       entity,
              const ZhField *field)
{
  switch (field->type)
    {
    case ZH_FIELD_UUID:
      g_free (*AT (entity, field, char *));
      *AT (entity, field, char *) = zh_uuid_new ();
      break;
    case ZH_FIELD_STRING:
      {
        char *old = *AT (entity, field, char *);

        *AT (entity, field, char *) = g_strconcat (old, "е", NULL);
        g_free (old);
      }
      break;
    case ZH_FIELD_DATE:
      g_free (*AT (entity, field, char *));
      *AT (entity, field, char *) = g_strdup ("2027-01-01");
      break;
    case ZH_FIELD_JSON:
      g_free (*AT (entity, field, char *));
      *AT (entity, field, char *) = g_strdup ("{}");
      break;
    case ZH_FIELD_TIME:
    case ZH_FIELD_INT:
      *AT (entity, field, gint64) += 1;
      break;
    case ZH_FIELD_REAL:
      *AT (entity, field, double) += 0.25;
      break;
    case ZH_FIELD_BOOL:
      *AT (entity, field, gboolean) = !*AT (entity, field, gboolean);
      break;
    case ZH_FIELD_ENUM:
      *AT (entity, field, int) = 0;
      break;
    case ZH_FIELD_FLAGS:
      *AT (entity, field, guint) = 0;
      break;
    default:
      g_assert_not_reached ();
    }
}

/* ---- Round trips ----------------------------------------------------------------------------- */

/* Every field of every entity survives to_json → to_string → from_string. */
static void
test_round_trip (gconstpointer data)
{
  const ZhEntityInfo *info = data;
  g_autoptr(GError) error = NULL;
  gpointer entity = fill_entity (info);
  g_autoptr(JsonNode) node = zh_entity_to_json (info, entity);
  g_autofree char *text = json_to_string (node, FALSE);
  g_autofree char *text2 = zh_entity_to_string (info, entity);
  gpointer decoded;
  gpointer decoded_node;

  g_assert_cmpstr (text, ==, text2);
  g_assert_cmpuint (json_object_get_size (json_node_get_object (node)), ==, info->n_fields);

  decoded = zh_entity_from_string (info, text, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (decoded);
  g_assert_true (zh_entity_equal (info, entity, decoded));

  decoded_node = zh_entity_from_json (info, node, &error);
  g_assert_no_error (error);
  g_assert_true (zh_entity_equal (info, entity, decoded_node));

  /* The feed's streaming decoder reads the same text into the same entity. */
  {
    gpointer streamed = _zh_feed_decode_row (info, text, strlen (text), &error);

    g_assert_no_error (error);
    g_assert_true (zh_entity_equal (info, entity, streamed));
    zh_entity_free (info, streamed);
  }

  /* A length that is not -1 is honoured: the text after it is never read. */
  {
    g_autofree char *padded = g_strconcat (text, "garbage", NULL);
    gpointer from_length = zh_entity_from_string (info, padded, strlen (text), &error);

    g_assert_no_error (error);
    g_assert_true (zh_entity_equal (info, entity, from_length));
    zh_entity_free (info, from_length);
  }

  zh_entity_free (info, decoded_node);
  zh_entity_free (info, decoded);
  zh_entity_free (info, entity);
}

/* Equality looks at every field, and a copy is deep and equal. */
static void
test_equal_every_field (gconstpointer data)
{
  const ZhEntityInfo *info = data;
  gpointer entity = fill_entity (info);
  gpointer copy = zh_entity_copy (info, entity);

  g_assert_true (zh_entity_equal (info, entity, copy));
  for (guint i = 0; i < info->n_fields; i++)
    {
      const ZhField *field = &info->fields[i];
      gpointer changed = zh_entity_copy (info, entity);

      if (field->type == ZH_FIELD_UUID || field->type == ZH_FIELD_STRING)
        g_assert_true (*AT (changed, field, char *) != *AT (entity, field, char *));
      change_field (changed, field);
      if (zh_entity_equal (info, entity, changed))
        g_error ("%s.%s: a change of the field leaves the entities equal", info->name, field->name);
      zh_entity_free (info, changed);
    }
  zh_entity_free (info, copy);
  zh_entity_free (info, entity);
}

/* Members left out of the JSON take their defaults; SERVER fields are never required. */
static void
test_defaults (gconstpointer data)
{
  const ZhEntityInfo *info = data;
  g_autoptr(GError) error = NULL;
  gpointer full = fill_entity (info);
  g_autoptr(JsonNode) node = zh_entity_to_json (info, full);
  JsonObject *object = json_node_get_object (node);
  gpointer entity;

  for (guint i = 0; i < info->n_fields; i++)
    if ((info->fields[i].flags & ZH_FIELD_REQUIRED) == 0)
      json_object_remove_member (object, info->fields[i].name);

  entity = zh_entity_from_json (info, node, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < info->n_fields; i++)
    {
      const ZhField *field = &info->fields[i];

      if ((field->flags & ZH_FIELD_REQUIRED) != 0)
        continue;
      switch (field->type)
        {
        case ZH_FIELD_UUID:
        case ZH_FIELD_DATE:
        case ZH_FIELD_STRING:
          if ((field->flags & ZH_FIELD_NULLABLE) != 0)
            g_assert_null (*AT (entity, field, char *));
          else
            g_assert_cmpstr (*AT (entity, field, char *), ==, "");
          break;
        case ZH_FIELD_JSON:
          g_assert_cmpstr (*AT (entity, field, char *), ==, "{}");
          break;
        case ZH_FIELD_TIME:
        case ZH_FIELD_INT:
          /* The schema's DEFAULT: plan_item.hours is 1 (data/schema/schema.sql). */
          g_assert_cmpint (*AT (entity, field, gint64), ==, field->default_value);
          break;
        case ZH_FIELD_REAL:
          g_assert_cmpfloat (*AT (entity, field, double), ==, 0.0);
          break;
        case ZH_FIELD_BOOL:
          /* staff.active defaults to true, as in the schema. */
          g_assert_cmpint (*AT (entity, field, gboolean), ==, field->default_value != 0);
          break;
        case ZH_FIELD_ENUM:
          g_assert_cmpint (*AT (entity, field, int), ==, 0);
          break;
        case ZH_FIELD_FLAGS:
          g_assert_cmpuint (*AT (entity, field, guint), ==, 0);
          break;
        default:
          g_assert_not_reached ();
        }
    }

  /* Null stands for absent too. */
  for (guint i = 0; i < info->n_fields; i++)
    if ((info->fields[i].flags & ZH_FIELD_REQUIRED) == 0)
      json_object_set_null_member (object, info->fields[i].name);
  {
    gpointer from_nulls = zh_entity_from_json (info, node, &error);

    g_assert_no_error (error);
    g_assert_true (zh_entity_equal (info, entity, from_nulls));
    zh_entity_free (info, from_nulls);
  }

  zh_entity_free (info, entity);
  zh_entity_free (info, full);
}

/* The exact JSON of a mark and a staff member: ISO times, nicks, null for unset nullable fields. */
static void
test_json_shape (void)
{
  g_autoptr(ZhMark) mark = zh_mark_new ();
  g_autoptr(ZhStaff) staff = zh_staff_new ();
  g_autoptr(ZhSchool) school = zh_school_new ();
  g_autofree char *mark_text = NULL;
  g_autofree char *staff_text = NULL;
  g_autofree char *school_text = NULL;

  mark->id = g_strdup ("0190a5b2-e1c4-7a3b-8c0d-1e2f3a4b5c6d");
  mark->lesson_id = g_strdup ("0190a5b2-e1c4-7a3b-8c0d-000000000001");
  mark->student_id = g_strdup ("0190a5b2-e1c4-7a3b-8c0d-000000000002");
  mark->value = g_strdup ("5");
  mark->work_type = g_strdup ("test");
  mark->weight = 1.5;
  mark->state = ZH_MARK_STATE_CORRECTED;
  mark->entered_at = MONDAY_0915;
  mark_text = zh_entity_to_string (&zh_mark_info, mark);
  g_assert_cmpstr (mark_text, ==,
                   "{\"id\":\"0190a5b2-e1c4-7a3b-8c0d-1e2f3a4b5c6d\","
                   "\"lesson_id\":\"0190a5b2-e1c4-7a3b-8c0d-000000000001\","
                   "\"student_id\":\"0190a5b2-e1c4-7a3b-8c0d-000000000002\","
                   "\"value\":\"5\",\"work_type\":\"test\",\"weight\":1.5,\"part\":0,"
                   "\"comment\":\"\",\"state\":\"corrected\",\"entered_by\":null,"
                   "\"entered_at\":\"2026-11-23T09:15:00Z\",\"received_at\":null,\"rev\":0}");

  staff->id = g_strdup ("0190a5b2-e1c4-7a3b-8c0d-1e2f3a4b5c6d");
  staff->school_id = g_strdup ("0190a5b2-e1c4-7a3b-8c0d-000000000001");
  staff->last_name = g_strdup ("Иванова");
  staff->first_name = g_strdup ("Анна");
  staff->roles = ZH_ROLE_TEACHER | ZH_ROLE_ADMIN;
  staff->active = TRUE;
  staff->rev = 42;
  staff_text = zh_entity_to_string (&zh_staff_info, staff);
  g_assert_cmpstr (staff_text, ==,
                   "{\"id\":\"0190a5b2-e1c4-7a3b-8c0d-1e2f3a4b5c6d\","
                   "\"school_id\":\"0190a5b2-e1c4-7a3b-8c0d-000000000001\","
                   "\"last_name\":\"Иванова\",\"first_name\":\"Анна\",\"middle_name\":\"\","
                   "\"roles\":[\"admin\",\"teacher\"],\"position\":\"\",\"login\":null,"
                   "\"active\":true,\"rev\":42}");

  /* JSON has no infinity: a weight that is not a number goes out as null, never as "inf". */
  {
    g_autofree char *infinite = NULL;

    mark->weight = INFINITY;
    infinite = zh_entity_to_string (&zh_mark_info, mark);
    g_assert_nonnull (strstr (infinite, "\"weight\":null,"));
  }

  /* The policy travels as a nested object, not as a string holding JSON. */
  school->id = g_strdup ("0190a5b2-e1c4-7a3b-8c0d-1e2f3a4b5c6d");
  school->name = g_strdup ("Лицей №7");
  school->full_name = g_strdup ("МОАУ «Лицей №7»");
  school->policy = g_strdup ("{\"min_marks\":3}");
  school_text = zh_entity_to_string (&zh_school_info, school);
  g_assert_cmpstr (school_text, ==,
                   "{\"id\":\"0190a5b2-e1c4-7a3b-8c0d-1e2f3a4b5c6d\",\"name\":\"Лицей №7\","
                   "\"full_name\":\"МОАУ «Лицей №7»\",\"address\":\"\",\"director\":\"\","
                   "\"policy\":{\"min_marks\":3},\"rev\":0}");
}

/* Nullable fields left unset encode as null: an enrollment still going on has no end. */
static void
test_nullable_null (void)
{
  g_autoptr(ZhEnrollment) enrollment = fill_entity (&zh_enrollment_info);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(ZhEnrollment) decoded = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  g_clear_pointer (&enrollment->date_to, g_free);
  enrollment->end_reason = ZH_END_REASON_NONE;
  node = zh_enrollment_to_json (enrollment);
  object = json_node_get_object (node);
  g_assert_true (json_object_get_null_member (object, "date_to"));
  g_assert_true (json_object_get_null_member (object, "end_reason"));

  decoded = zh_enrollment_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_null (decoded->date_to);
  g_assert_cmpint (decoded->end_reason, ==, ZH_END_REASON_NONE);
  g_assert_true (zh_entity_equal (&zh_enrollment_info, enrollment, decoded));
}

/* ---- Bad input ------------------------------------------------------------------------------- */

typedef struct
{
  const char   *path;
  const char   *entity;
  const char   *member;   /* NULL: @value is the whole text */
  const char   *value;    /* raw JSON text of the member; NULL removes the member */
  ZhModelError  code;
  const char   *field;    /* what the message must name */
} BadInput;

static const BadInput bad_inputs[] = {
  /* Not an object at all. */
  { "not-object/array", "mark", NULL, "[]", ZH_MODEL_ERROR_NOT_OBJECT, "mark" },
  { "not-object/string", "mark", NULL, "\"mark\"", ZH_MODEL_ERROR_NOT_OBJECT, "mark" },
  { "not-object/number", "mark", NULL, "42", ZH_MODEL_ERROR_NOT_OBJECT, "mark" },
  { "not-object/null", "mark", NULL, "null", ZH_MODEL_ERROR_NOT_OBJECT, "mark" },
  { "not-object/empty", "mark", NULL, "", ZH_MODEL_ERROR_NOT_OBJECT, "mark" },
  { "not-object/unclosed", "lesson", NULL, "{\"id\":", ZH_MODEL_ERROR_NOT_OBJECT, "lesson" },
  { "not-object/trailing", "lesson", NULL, "{} {}", ZH_MODEL_ERROR_NOT_OBJECT, "lesson" },
  { "not-object/not-utf8", "student", NULL, "{\"last_name\":\"\xd0\"}", ZH_MODEL_ERROR_NOT_OBJECT, "student" },

  /* A required member absent or null. */
  { "missing/uuid", "mark", "lesson_id", NULL, ZH_MODEL_ERROR_MISSING_FIELD, "lesson_id" },
  { "missing/null-string", "mark", "value", "null", ZH_MODEL_ERROR_MISSING_FIELD, "value" },
  { "missing/time", "attendance", "entered_at", NULL, ZH_MODEL_ERROR_MISSING_FIELD, "entered_at" },
  { "missing/enum", "period", "kind", "null", ZH_MODEL_ERROR_MISSING_FIELD, "kind" },
  { "missing/flags", "staff", "roles", NULL, ZH_MODEL_ERROR_MISSING_FIELD, "roles" },
  { "missing/date", "student", "birth_date", NULL, ZH_MODEL_ERROR_MISSING_FIELD, "birth_date" },
  { "missing/real", "curriculum", "hours_per_week", "null", ZH_MODEL_ERROR_MISSING_FIELD, "hours_per_week" },
  { "missing/id", "correction", "id", NULL, ZH_MODEL_ERROR_MISSING_FIELD, "id" },

  /* The wrong JSON type, for each ZhFieldType. */
  { "wrong-type/uuid-number", "mark", "lesson_id", "42", ZH_MODEL_ERROR_WRONG_TYPE, "lesson_id" },
  { "wrong-type/string-number", "mark", "value", "5", ZH_MODEL_ERROR_WRONG_TYPE, "value" },
  { "wrong-type/string-array", "school", "name", "[\"Лицей\"]", ZH_MODEL_ERROR_WRONG_TYPE, "name" },
  { "wrong-type/date-number", "academic_year", "starts", "20260901", ZH_MODEL_ERROR_WRONG_TYPE, "starts" },
  { "wrong-type/time-number", "mark", "entered_at", "1795425300", ZH_MODEL_ERROR_WRONG_TYPE, "entered_at" },
  { "wrong-type/int-string", "period", "number", "\"1\"", ZH_MODEL_ERROR_WRONG_TYPE, "number" },
  { "wrong-type/int-bool", "period", "number", "true", ZH_MODEL_ERROR_WRONG_TYPE, "number" },
  { "wrong-type/int-real", "mark", "part", "1.5", ZH_MODEL_ERROR_WRONG_TYPE, "part" },
  { "wrong-type/int-real-whole", "mark", "part", "1.0", ZH_MODEL_ERROR_WRONG_TYPE, "part" },
  { "wrong-type/int-exponent", "plan_item", "hours", "1e2", ZH_MODEL_ERROR_WRONG_TYPE, "hours" },
  { "wrong-type/real-string", "mark", "weight", "\"1.5\"", ZH_MODEL_ERROR_WRONG_TYPE, "weight" },
  { "wrong-type/real-bool", "curriculum", "hours_per_week", "true", ZH_MODEL_ERROR_WRONG_TYPE, "hours_per_week" },
  { "wrong-type/bool-int", "staff", "active", "1", ZH_MODEL_ERROR_WRONG_TYPE, "active" },
  { "wrong-type/bool-string", "lesson", "substitute", "\"true\"", ZH_MODEL_ERROR_WRONG_TYPE, "substitute" },
  { "wrong-type/enum-int", "attendance", "code", "0", ZH_MODEL_ERROR_WRONG_TYPE, "code" },
  { "wrong-type/flags-int", "staff", "roles", "17", ZH_MODEL_ERROR_WRONG_TYPE, "roles" },
  { "wrong-type/flags-string", "staff", "roles", "\"admin\"", ZH_MODEL_ERROR_WRONG_TYPE, "roles" },
  { "wrong-type/flags-int-element", "staff", "roles", "[16]", ZH_MODEL_ERROR_WRONG_TYPE, "roles" },
  { "wrong-type/json-string", "school", "policy", "\"{}\"", ZH_MODEL_ERROR_WRONG_TYPE, "policy" },
  { "wrong-type/json-array", "school", "policy", "[]", ZH_MODEL_ERROR_WRONG_TYPE, "policy" },
  { "wrong-type/json-number", "school", "policy", "5", ZH_MODEL_ERROR_WRONG_TYPE, "policy" },

  /* The right type with a bad value. */
  { "invalid/uuid-word", "mark", "student_id", "\"not-a-uuid\"", ZH_MODEL_ERROR_INVALID_VALUE, "student_id" },
  { "invalid/uuid-no-dashes", "mark", "student_id", "\"0190a5b2e1c47a3b8c0d1e2f3a4b5c6d\"", ZH_MODEL_ERROR_INVALID_VALUE, "student_id" },
  { "invalid/uuid-not-hex", "mark", "id", "\"0190a5b2-e1c4-7a3b-8c0d-1e2f3a4b5c6g\"", ZH_MODEL_ERROR_INVALID_VALUE, "id" },
  { "invalid/uuid-braces", "group", "class_id", "\"{0190a5b2-e1c4-7a3b-8c0d-1e2f3a4b5c6d}\"", ZH_MODEL_ERROR_INVALID_VALUE, "class_id" },
  { "invalid/uuid-long", "group", "class_id", "\"0190a5b2-e1c4-7a3b-8c0d-1e2f3a4b5c6d0\"", ZH_MODEL_ERROR_INVALID_VALUE, "class_id" },
  { "invalid/uuid-empty", "lesson", "teacher_id", "\"\"", ZH_MODEL_ERROR_INVALID_VALUE, "teacher_id" },
  { "invalid/date-feb-30", "enrollment", "date_from", "\"2026-02-30\"", ZH_MODEL_ERROR_INVALID_VALUE, "date_from" },
  { "invalid/date-month-13", "enrollment", "date_from", "\"2026-13-01\"", ZH_MODEL_ERROR_INVALID_VALUE, "date_from" },
  { "invalid/date-russian", "enrollment", "date_to", "\"23.11.2026\"", ZH_MODEL_ERROR_INVALID_VALUE, "date_to" },
  { "invalid/date-short", "lesson", "date", "\"2026-1-5\"", ZH_MODEL_ERROR_INVALID_VALUE, "date" },
  { "invalid/date-with-time", "lesson", "date", "\"2026-11-23T00:00:00Z\"", ZH_MODEL_ERROR_INVALID_VALUE, "date" },
  { "invalid/date-not-leap", "period", "starts", "\"2025-02-29\"", ZH_MODEL_ERROR_INVALID_VALUE, "starts" },
  { "invalid/time-word", "mark", "entered_at", "\"yesterday\"", ZH_MODEL_ERROR_INVALID_VALUE, "entered_at" },
  { "invalid/time-space", "mark", "entered_at", "\"2026-11-23 09:15:00Z\"", ZH_MODEL_ERROR_INVALID_VALUE, "entered_at" },
  { "invalid/time-no-zone", "mark", "entered_at", "\"2026-11-23T09:15:00\"", ZH_MODEL_ERROR_INVALID_VALUE, "entered_at" },
  { "invalid/time-hour-24", "correction", "at", "\"2026-11-23T24:00:00Z\"", ZH_MODEL_ERROR_INVALID_VALUE, "at" },
  { "invalid/time-offset-25", "correction", "at", "\"2026-11-23T09:15:00+25:00\"", ZH_MODEL_ERROR_INVALID_VALUE, "at" },
  { "invalid/time-no-seconds", "lesson", "topic_entered_at", "\"2026-11-23T09:15Z\"", ZH_MODEL_ERROR_INVALID_VALUE, "topic_entered_at" },
  { "invalid/time-bad-date", "lesson", "topic_entered_at", "\"2026-02-30T09:15:00Z\"", ZH_MODEL_ERROR_INVALID_VALUE, "topic_entered_at" },
  { "invalid/enum-russian", "attendance", "code", "\"н\"", ZH_MODEL_ERROR_INVALID_VALUE, "code" },
  { "invalid/enum-case", "period", "kind", "\"Quarter\"", ZH_MODEL_ERROR_INVALID_VALUE, "kind" },
  { "invalid/enum-nullable", "enrollment", "end_reason", "\"expelled\"", ZH_MODEL_ERROR_INVALID_VALUE, "end_reason" },
  { "invalid/flag-unknown", "staff", "roles", "[\"admin\",\"janitor\"]", ZH_MODEL_ERROR_INVALID_VALUE, "roles" },
  { "invalid/int-too-big", "period", "number", "99999999999999999999", ZH_MODEL_ERROR_INVALID_VALUE, "number" },
  { "invalid/int-too-small", "mark", "rev", "-9223372036854775809", ZH_MODEL_ERROR_INVALID_VALUE, "rev" },
  { "invalid/real-infinite", "mark", "weight", "1e999", ZH_MODEL_ERROR_INVALID_VALUE, "weight" },
  { "invalid/string-nul", "mark", "comment", "\"a\\u0000b\"", ZH_MODEL_ERROR_INVALID_VALUE, "comment" },

  /* A member the entity does not have. */
  { "unknown/member", "mark", "colour", "\"red\"", ZH_MODEL_ERROR_UNKNOWN_FIELD, "colour" },
  { "unknown/null-member", "school", "policy_text", "null", ZH_MODEL_ERROR_UNKNOWN_FIELD, "policy_text" },
};

#define PLACEHOLDER "@@value@@"

/* The JSON text of a valid entity with @member replaced by the raw text @value (or removed). */
static char *
build_input (const ZhEntityInfo *info,
             const char         *member,
             const char         *value)
{
  gpointer entity = fill_entity (info);
  g_autoptr(JsonNode) node = zh_entity_to_json (info, entity);
  JsonObject *object = json_node_get_object (node);
  g_autofree char *text = NULL;
  g_auto(GStrv) parts = NULL;

  zh_entity_free (info, entity);
  if (value == NULL)
    {
      json_object_remove_member (object, member);
      return json_to_string (node, FALSE);
    }
  json_object_set_string_member (object, member, PLACEHOLDER);
  text = json_to_string (node, FALSE);
  parts = g_strsplit (text, "\"" PLACEHOLDER "\"", 2);
  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  return g_strconcat (parts[0], value, parts[1], NULL);
}

static void
test_bad_input (gconstpointer data)
{
  const BadInput *bad = data;
  const ZhEntityInfo *info = zh_entity_info_lookup (bad->entity);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gpointer entity;

  g_assert_nonnull (info);
  if (bad->member == NULL)
    text = g_strdup (bad->value);
  else
    text = build_input (info, bad->member, bad->value);

  entity = zh_entity_from_string (info, text, -1, &error);
  g_assert_null (entity);
  g_assert_error (error, ZH_MODEL_ERROR, (int) bad->code);
  if (strstr (error->message, bad->field) == NULL)
    g_error ("“%s” does not name “%s”", error->message, bad->field);
  g_test_message ("%s", error->message);

  /* The feed's streaming decoder refuses it alike, with the same message (text that is not JSON
   * at all is described by each parser in its own words). */
  {
    g_autoptr(GError) streamed_error = NULL;

    g_assert_null (_zh_feed_decode_row (info, text, strlen (text), &streamed_error));
    g_assert_error (streamed_error, ZH_MODEL_ERROR, (int) bad->code);
    if (bad->code != ZH_MODEL_ERROR_NOT_OBJECT)
      g_assert_cmpstr (streamed_error->message, ==, error->message);
  }
}

/* A node that is not an object, given to the decoder directly. */
static void
test_bad_node (void)
{
  g_autoptr(JsonNode) array = json_node_init_array (json_node_alloc (), json_array_new ());
  g_autoptr(GError) error = NULL;

  g_assert_null (zh_mark_from_json (array, &error));
  g_assert_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_NOT_OBJECT);
  g_assert_nonnull (strstr (error->message, "mark"));
}

/* Inputs that look odd but are fine: an integer for a real, a null for a nullable field, an
 * absent server field, an upper-case id (stored lower case), a time with an offset. */
static void
test_lenient_where_harmless (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *weight = build_input (&zh_mark_info, "weight", "2");
  g_autofree char *no_rev = build_input (&zh_mark_info, "rev", NULL);
  g_autofree char *upper = build_input (&zh_mark_info, "lesson_id",
                                        "\"0190A5B2-E1C4-7A3B-8C0D-1E2F3A4B5C6D\"");
  g_autofree char *offset = build_input (&zh_mark_info, "entered_at",
                                         "\"2026-11-23T12:15:00.750+03:00\"");
  g_autofree char *no_received = build_input (&zh_lesson_info, "received_at", NULL);
  g_autoptr(ZhMark) mark = NULL;
  g_autoptr(ZhLesson) lesson = NULL;

  mark = zh_entity_from_string (&zh_mark_info, weight, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (mark->weight, ==, 2.0);
  g_clear_pointer (&mark, zh_mark_free);

  mark = zh_entity_from_string (&zh_mark_info, no_rev, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mark->rev, ==, 0);
  g_clear_pointer (&mark, zh_mark_free);

  mark = zh_entity_from_string (&zh_mark_info, upper, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mark->lesson_id, ==, "0190a5b2-e1c4-7a3b-8c0d-1e2f3a4b5c6d");
  g_clear_pointer (&mark, zh_mark_free);

  mark = zh_entity_from_string (&zh_mark_info, offset, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mark->entered_at, ==, MONDAY_0915);

  lesson = zh_entity_from_string (&zh_lesson_info, no_received, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lesson->received_at, ==, 0);
}

/* ---- UUIDs ----------------------------------------------------------------------------------- */

static void
test_uuid_valid (void)
{
  g_assert_true (zh_uuid_is_valid ("0190a5b2-e1c4-7a3b-8c0d-1e2f3a4b5c6d"));
  g_assert_true (zh_uuid_is_valid ("0190A5B2-E1C4-7A3B-8C0D-1E2F3A4B5C6D"));
  g_assert_true (zh_uuid_is_valid ("00000000-0000-0000-0000-000000000000"));
  g_assert_false (zh_uuid_is_valid (NULL));
  g_assert_false (zh_uuid_is_valid (""));
  g_assert_false (zh_uuid_is_valid ("0190a5b2-e1c4-7a3b-8c0d-1e2f3a4b5c6"));
  g_assert_false (zh_uuid_is_valid ("0190a5b2-e1c4-7a3b-8c0d-1e2f3a4b5c6d "));
  g_assert_false (zh_uuid_is_valid ("0190a5b2e-1c4-7a3b-8c0d-1e2f3a4b5c6d"));
  g_assert_false (zh_uuid_is_valid ("0190a5b2-e1c4-7a3b-8c0d_1e2f3a4b5c6d"));
  g_assert_false (zh_uuid_is_valid ("0190a5b2-e1c4-7a3b-8c0d-1e2f3a4b5cжd"));
}

/* zh_uuid_new makes version 7 ids: time first, so SQLite appends them to its indexes. */
static void
test_uuid_v7 (void)
{
  const guint n = 10000;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 before_ms = g_get_real_time () / 1000;
  g_autofree char *previous = NULL;
  gint64 after_ms;

  for (guint i = 0; i < n; i++)
    {
      char *uuid = zh_uuid_new ();

      g_assert_true (zh_uuid_is_valid (uuid));
      g_assert_cmpint (uuid[14], ==, '7');
      g_assert_nonnull (strchr ("89ab", uuid[19]));
      for (const char *c = uuid; *c != '\0'; c++)
        g_assert_false (g_ascii_isupper (*c));
      if (previous != NULL && strcmp (previous, uuid) >= 0)
        g_error ("%s made after %s sorts before it", uuid, previous);
      g_assert_true (g_hash_table_add (seen, uuid));
      g_free (previous);
      previous = g_strdup (uuid);
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, n);

  /* The first 48 bits are the Unix time in milliseconds. */
  after_ms = g_get_real_time () / 1000;
  {
    g_autofree char *first = zh_uuid_new ();
    g_autofree char *hex = g_strndup (first, 8);
    g_autofree char *hex2 = g_strndup (first + 9, 4);
    g_autofree char *ms_text = g_strconcat (hex, hex2, NULL);
    guint64 ms = g_ascii_strtoull (ms_text, NULL, 16);

    g_assert_cmpuint (ms, >=, (guint64) before_ms);
    g_assert_cmpuint (ms, <=, (guint64) after_ms + 1000);
  }
}

/* ---- Dates and times ------------------------------------------------------------------------- */

static void
test_dates (void)
{
  const char *valid[] = { "2026-11-23", "2024-02-29", "2000-02-29", "0001-01-01", "9999-12-31" };
  const char *invalid[] = { "2026-02-30", "2026-13-01", "23.11.2026", "2100-02-29", "2026-00-10",
                            "2026-11-00", "0000-01-01", "2026-11-23 ", " 2026-11-23", "2026/11/23",
                            "2026-1-23", "20261123", "", "2026-11-2x", "２０２６-11-23" };
  GDate date;
  g_autofree char *formatted = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autofree char *again = NULL;

      g_assert_true (zh_date_is_valid (valid[i]));
      g_date_clear (&date, 1);
      g_assert_true (zh_date_parse (valid[i], &date));
      again = zh_date_format (&date);
      g_assert_cmpstr (again, ==, valid[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      if (zh_date_is_valid (invalid[i]))
        g_error ("“%s” taken for a date", invalid[i]);
      g_date_clear (&date, 1);
      g_assert_false (zh_date_parse (invalid[i], &date));
      g_assert_false (g_date_valid (&date));
    }
  g_assert_false (zh_date_is_valid (NULL));

  g_date_set_dmy (&date, 1, G_DATE_SEPTEMBER, 2026);
  formatted = zh_date_format (&date);
  g_assert_cmpstr (formatted, ==, "2026-09-01");
}

static void
test_times (void)
{
  struct { const char *text; gint64 seconds; } valid[] = {
    { "2026-11-23T09:15:00Z", MONDAY_0915 },
    { "2026-11-23T12:15:00+03:00", MONDAY_0915 },
    { "2026-11-23T03:45:00-05:30", MONDAY_0915 },
    { "2026-11-23T09:15:00.999Z", MONDAY_0915 },
    { "2026-11-23T09:15:00-00:00", MONDAY_0915 },
    { "1970-01-01T00:00:00Z", 0 },
    { "1969-12-31T23:59:59Z", -1 },
  };
  const char *invalid[] = { "", "garbage", "2026-11-23", "2026-11-23T09:15:00", "2026-11-23T09:15Z",
                            "2026-11-23 09:15:00Z", "2026-11-23t09:15:00Z", "2026-11-23T09:15:60Z",
                            "2026-11-23T09:60:00Z", "2026-11-23T09:15:00+0300",
                            "2026-11-23T09:15:00+03", "2026-11-23T09:15:00+03:60",
                            "2026-11-23T09:15:00.Z", "2026-11-23T09:15:00ZZ", "2026-W48-1T09:15:00Z",
                            "2026-11-23T09:15:00Z ", "2026-02-29T09:15:00Z" };
  g_autofree char *text = zh_time_to_iso8601 (MONDAY_0915);
  g_autofree char *epoch = zh_time_to_iso8601 (0);
  g_autofree char *too_late = zh_time_to_iso8601 (G_GINT64_CONSTANT (253402300800));

  g_assert_cmpstr (text, ==, "2026-11-23T09:15:00Z");
  g_assert_cmpstr (epoch, ==, "1970-01-01T00:00:00Z");
  g_assert_null (too_late);

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      gint64 seconds = 12345;

      if (!zh_time_from_iso8601 (valid[i].text, &seconds))
        g_error ("“%s” refused", valid[i].text);
      g_assert_cmpint (seconds, ==, valid[i].seconds);
    }
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      gint64 seconds = 12345;

      if (zh_time_from_iso8601 (invalid[i], &seconds))
        g_error ("“%s” taken for a time", invalid[i]);
      g_assert_cmpint (seconds, ==, 12345);
    }
}

/* ---- Enums and names ------------------------------------------------------------------------- */

static void
test_enum_nicks (void)
{
  int value = -1;

  g_assert_cmpstr (zh_enum_to_nick (ZH_TYPE_ATTENDANCE_CODE, ZH_ATTENDANCE_ILL), ==, "ill");
  g_assert_cmpstr (zh_enum_to_nick (ZH_TYPE_CORRECTION_REASON, ZH_CORRECTION_REASON_APPEAL_UPHELD),
                   ==, "appeal_upheld");
  g_assert_null (zh_enum_to_nick (ZH_TYPE_ATTENDANCE_CODE, 99));

  g_assert_true (zh_enum_from_nick (ZH_TYPE_LESSON_KIND, "dictation", &value));
  g_assert_cmpint (value, ==, ZH_LESSON_KIND_DICTATION);
  value = -1;
  g_assert_false (zh_enum_from_nick (ZH_TYPE_LESSON_KIND, "Dictation", &value));
  g_assert_false (zh_enum_from_nick (ZH_TYPE_LESSON_KIND, "ZH_LESSON_KIND_DICTATION", &value));
  g_assert_false (zh_enum_from_nick (ZH_TYPE_LESSON_KIND, NULL, &value));
  g_assert_cmpint (value, ==, -1);
}

static void
test_names (void)
{
  g_autoptr(ZhStaff) staff = zh_staff_new ();
  g_autoptr(ZhStudent) student = zh_student_new ();
  g_autoptr(ZhClass) klass = zh_class_new ();
  g_autofree char *full = NULL;
  g_autofree char *short_name = NULL;
  g_autofree char *no_middle_full = NULL;
  g_autofree char *no_middle_short = NULL;
  g_autofree char *student_full = NULL;
  g_autofree char *student_no_middle = NULL;
  g_autofree char *class_name = NULL;

  staff->last_name = g_strdup ("Иванова");
  staff->first_name = g_strdup ("Анна");
  staff->middle_name = g_strdup ("Петровна");
  full = zh_staff_dup_full_name (staff);
  short_name = zh_staff_dup_short_name (staff);
  g_assert_cmpstr (full, ==, "Иванова Анна Петровна");
  g_assert_cmpstr (short_name, ==, "Иванова А. П.");

  /* Ё is two bytes in UTF-8: the initial is the whole character. */
  g_free (staff->last_name);
  g_free (staff->first_name);
  g_free (staff->middle_name);
  staff->last_name = g_strdup ("Королёва");
  staff->first_name = g_strdup ("Ёлена");
  staff->middle_name = g_strdup ("");
  no_middle_full = zh_staff_dup_full_name (staff);
  no_middle_short = zh_staff_dup_short_name (staff);
  g_assert_cmpstr (no_middle_full, ==, "Королёва Ёлена");
  g_assert_cmpstr (no_middle_short, ==, "Королёва Ё.");

  student->last_name = g_strdup ("Алёшин");
  student->first_name = g_strdup ("Фёдор");
  student->middle_name = g_strdup ("Семёнович");
  student_full = zh_student_dup_full_name (student);
  g_assert_cmpstr (student_full, ==, "Алёшин Фёдор Семёнович");
  g_clear_pointer (&student->middle_name, g_free);
  student_no_middle = zh_student_dup_full_name (student);
  g_assert_cmpstr (student_no_middle, ==, "Алёшин Фёдор");

  klass->grade = 5;
  klass->letter = g_strdup ("А");
  class_name = zh_class_dup_name (klass);
  g_assert_cmpstr (class_name, ==, "5А");
}

/* A member left out takes the schema's DEFAULT, not zero: a staff member sent without "active"
 * stays active, a plan item without "hours" is one hour (data/schema/schema.sql). */
static void
test_schema_defaults (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStaff) staff = NULL;
  g_autoptr(ZhPlanItem) item = NULL;

  staff = (ZhStaff *) zh_entity_from_string (&zh_staff_info,
                                             "{\"id\":\"0190f5c2-7e1a-7000-8000-000000000001\","
                                             "\"school_id\":\"0190f5c2-7e1a-7000-8000-000000000002\","
                                             "\"last_name\":\"Королёва\",\"first_name\":\"Алёна\","
                                             "\"roles\":[\"teacher\"]}", -1, &error);
  g_assert_no_error (error);
  g_assert_true (staff->active);

  item = (ZhPlanItem *) zh_entity_from_string (&zh_plan_item_info,
                                               "{\"id\":\"0190f5c2-7e1a-7000-8000-000000000003\","
                                               "\"group_id\":\"0190f5c2-7e1a-7000-8000-000000000004\","
                                               "\"number\":1,\"topic\":\"Натуральные числа\"}", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (item->hours, ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; zh_entities[i] != NULL; i++)
    {
      const ZhEntityInfo *info = zh_entities[i];
      g_autofree char *round_trip = g_strdup_printf ("/model/round-trip/%s", info->name);
      g_autofree char *equal = g_strdup_printf ("/model/equal-every-field/%s", info->name);
      g_autofree char *defaults = g_strdup_printf ("/model/defaults/%s", info->name);

      g_test_add_data_func (round_trip, info, test_round_trip);
      g_test_add_data_func (equal, info, test_equal_every_field);
      g_test_add_data_func (defaults, info, test_defaults);
    }
  g_test_add_func ("/model/json-shape", test_json_shape);
  g_test_add_func ("/model/nullable-null", test_nullable_null);
  for (guint i = 0; i < G_N_ELEMENTS (bad_inputs); i++)
    {
      g_autofree char *path = g_strdup_printf ("/model/bad-input/%s", bad_inputs[i].path);

      g_test_add_data_func (path, &bad_inputs[i], test_bad_input);
    }
  g_test_add_func ("/model/bad-input/node-not-object", test_bad_node);
  g_test_add_func ("/model/lenient-where-harmless", test_lenient_where_harmless);
  g_test_add_func ("/model/uuid/valid", test_uuid_valid);
  g_test_add_func ("/model/uuid/v7-unique-ordered", test_uuid_v7);
  g_test_add_func ("/model/dates", test_dates);
  g_test_add_func ("/model/times", test_times);
  g_test_add_func ("/model/enum-nicks", test_enum_nicks);
  g_test_add_func ("/model/names", test_names);

  g_test_add_func ("/model/json/schema-defaults", test_schema_defaults);

  return g_test_run ();
}
