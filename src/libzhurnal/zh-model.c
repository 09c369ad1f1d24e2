/* zh-model.c: the generic operations on entity structs (new, free, copy, equal, JSON codecs)
 * driven by the field tables of zh-entities.c, and the value helpers they share (UUIDs, dates,
 * times, enum nicks, printed names).
 *
 * A field whose string is NULL holds its default: "" for a plain string, "{}" for a JSON object,
 * no value for a nullable one. So zh_entity_new can return a zero-filled struct that callers fill
 * by plain assignment, and decoded or loaded entities hold "" where the schema says ''.
 */
#define G_LOG_DOMAIN "zh-model"

#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/random.h>
#include <glib/gi18n-lib.h>

#include "zh-model.h"
#include "zh-model-private.h"

G_DEFINE_QUARK (zh-model-error-quark, zh_model_error)

/* ---- Generic entity operations --------------------------------------------------------------- */

/* Set the number fields whose schema default is not zero (staff.active, plan_item.hours). */
static void
set_number_default (const ZhField *field,
                    gpointer       entity)
{
  if (field->type == ZH_FIELD_INT)
    *_zh_field_int64 (entity, field) = field->default_value;
  else if (field->type == ZH_FIELD_BOOL)
    *_zh_field_bool (entity, field) = field->default_value != 0;
}

/* zh_entity_new: (transfer full): a new entity of @info with every field at its default (the
 * schema's DEFAULT for numbers, else zero, FALSE, the enum's first value, NULL strings); free it
 * with zh_entity_free. */
gpointer
zh_entity_new (const ZhEntityInfo *info)
{
  gpointer entity;

  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (info->size >= sizeof (ZhEntity), NULL);

  entity = g_malloc0 (info->size);
  for (guint i = 0; i < info->n_fields; i++)
    if (info->fields[i].default_value != 0)
      set_number_default (&info->fields[i], entity);
  return entity;
}

/* zh_entity_free: free @entity of @info and every string it owns; NULL is ignored. */
void
zh_entity_free (const ZhEntityInfo *info,
                gpointer            entity)
{
  g_return_if_fail (info != NULL);

  if (entity == NULL)
    return;

  for (guint i = 0; i < info->n_fields; i++)
    if (_zh_field_is_string (&info->fields[i]))
      g_free (*_zh_field_string (entity, &info->fields[i]));
  g_free (entity);
}

/* zh_entity_copy: (transfer full): a deep copy of @entity of @info. */
gpointer
zh_entity_copy (const ZhEntityInfo *info,
                gconstpointer       entity)
{
  gpointer copy;

  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (entity != NULL, NULL);

  copy = g_memdup2 (entity, info->size);
  for (guint i = 0; i < info->n_fields; i++)
    {
      const ZhField *field = &info->fields[i];

      if (_zh_field_is_string (field))
        *_zh_field_string (copy, field) = g_strdup (*_zh_field_string ((gpointer) entity, field));
    }
  return copy;
}

/* zh_entity_equal: whether @a and @b of @info hold the same value in every field (strings by
 * content, a NULL string equal to the default it stands for, reals exactly). */
gboolean
zh_entity_equal (const ZhEntityInfo *info,
                 gconstpointer       a,
                 gconstpointer       b)
{
  g_return_val_if_fail (info != NULL, FALSE);

  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;

  for (guint i = 0; i < info->n_fields; i++)
    {
      const ZhField *field = &info->fields[i];
      gpointer pa = (gpointer) a;
      gpointer pb = (gpointer) b;

      switch (field->type)
        {
        case ZH_FIELD_UUID:
        case ZH_FIELD_STRING:
        case ZH_FIELD_DATE:
        case ZH_FIELD_JSON:
          if (g_strcmp0 (_zh_string_value (a, field), _zh_string_value (b, field)) != 0)
            return FALSE;
          break;
        case ZH_FIELD_TIME:
        case ZH_FIELD_INT:
          if (*_zh_field_int64 (pa, field) != *_zh_field_int64 (pb, field))
            return FALSE;
          break;
        case ZH_FIELD_REAL:
          if (*_zh_field_double (pa, field) != *_zh_field_double (pb, field))
            return FALSE;
          break;
        case ZH_FIELD_BOOL:
          if (!*_zh_field_bool (pa, field) != !*_zh_field_bool (pb, field))
            return FALSE;
          break;
        case ZH_FIELD_ENUM:
          if (*_zh_field_enum (pa, field) != *_zh_field_enum (pb, field))
            return FALSE;
          break;
        case ZH_FIELD_FLAGS:
          if (*_zh_field_flags (pa, field) != *_zh_field_flags (pb, field))
            return FALSE;
          break;
        default:
          g_assert_not_reached ();
        }
    }
  return TRUE;
}

/* ---- Encoding -------------------------------------------------------------------------------- */

static void
add_flags (JsonBuilder   *builder,
           const ZhField *field,
           guint          value)
{
  GFlagsClass *klass = g_type_class_ref (field->enum_type ());

  /* In bit order, so the same set always encodes the same way. */
  json_builder_begin_array (builder);
  for (guint bit = 0; bit < 32; bit++)
    {
      guint mask = 1u << bit;
      GFlagsValue *flag;

      if ((value & mask) == 0)
        continue;
      flag = g_flags_get_first_value (klass, mask);
      if (flag != NULL && flag->value == mask)
        json_builder_add_string_value (builder, flag->value_nick);
    }
  json_builder_end_array (builder);
  g_type_class_unref (klass);
}

static void
add_json_object (JsonBuilder *builder,
                 const char  *text)
{
  g_autoptr(JsonNode) node = json_from_string (text, NULL);

  /* The text comes from a decoded entity or the database, both of which hold objects only; a
   * damaged value must not produce JSON that the decoder would then refuse as a whole. */
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_warning ("a JSON field holds “%.40s”, not an object; writing {}", text);
      json_builder_begin_object (builder);
      json_builder_end_object (builder);
      return;
    }
  json_builder_add_value (builder, g_steal_pointer (&node));
}

/* zh_entity_to_json: (transfer full): @entity of @info as a JSON object with one member per
 * field: ids, text and dates as strings, times as ISO 8601 UTC strings, enums as nicks, flags as
 * arrays of nicks, JSON fields as nested objects, unset nullable fields as null. */
JsonNode *
zh_entity_to_json (const ZhEntityInfo *info,
                   gconstpointer       entity)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (entity != NULL, NULL);

  builder = json_builder_new_immutable ();
  json_builder_begin_object (builder);
  for (guint i = 0; i < info->n_fields; i++)
    {
      const ZhField *field = &info->fields[i];
      gboolean nullable = (field->flags & ZH_FIELD_NULLABLE) != 0;
      gpointer p = (gpointer) entity;

      json_builder_set_member_name (builder, field->name);
      switch (field->type)
        {
        case ZH_FIELD_UUID:
        case ZH_FIELD_STRING:
        case ZH_FIELD_DATE:
          {
            const char *value = _zh_string_value (entity, field);

            if (value == NULL)
              json_builder_add_null_value (builder);
            else
              json_builder_add_string_value (builder, value);
          }
          break;
        case ZH_FIELD_JSON:
          {
            const char *value = _zh_string_value (entity, field);

            if (value == NULL)
              json_builder_add_null_value (builder);
            else
              add_json_object (builder, value);
          }
          break;
        case ZH_FIELD_TIME:
          {
            gint64 value = *_zh_field_int64 (p, field);
            g_autofree char *text = NULL;

            if (!(nullable && value == 0))
              text = zh_time_to_iso8601 (value);
            if (text == NULL)
              json_builder_add_null_value (builder);
            else
              json_builder_add_string_value (builder, text);
          }
          break;
        case ZH_FIELD_INT:
          if (nullable && *_zh_field_int64 (p, field) == 0)
            json_builder_add_null_value (builder);
          else
            json_builder_add_int_value (builder, *_zh_field_int64 (p, field));
          break;
        case ZH_FIELD_REAL:
          /* JSON has no infinity or NaN: json-glib would write text no parser reads back. */
          if (isfinite (*_zh_field_double (p, field)))
            json_builder_add_double_value (builder, *_zh_field_double (p, field));
          else
            json_builder_add_null_value (builder);
          break;
        case ZH_FIELD_BOOL:
          json_builder_add_boolean_value (builder, *_zh_field_bool (p, field) != FALSE);
          break;
        case ZH_FIELD_ENUM:
          {
            int value = *_zh_field_enum (p, field);
            const char *nick = NULL;

            if (!(nullable && value == 0))
              nick = zh_enum_to_nick (field->enum_type (), value);
            if (nick == NULL)
              json_builder_add_null_value (builder);
            else
              json_builder_add_string_value (builder, nick);
          }
          break;
        case ZH_FIELD_FLAGS:
          add_flags (builder, field, *_zh_field_flags (p, field));
          break;
        default:
          g_assert_not_reached ();
        }
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* zh_entity_to_string: (transfer full): @entity of @info as compact JSON text. */
char *
zh_entity_to_string (const ZhEntityInfo *info,
                     gconstpointer       entity)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (entity != NULL, NULL);

  node = zh_entity_to_json (info, entity);
  return json_to_string (node, FALSE);
}

/* ---- Decoding -------------------------------------------------------------------------------- */

/* _zh_shorten: (transfer full): a user's value quoted in a message, cut to a readable length on a
 * character boundary. */
char *
_zh_shorten (const char *value)
{
  const glong max_chars = 40;
  g_autofree char *valid = g_utf8_make_valid (value, -1);
  g_autofree char *start = NULL;

  if (g_utf8_strlen (valid, -1) <= max_chars)
    return g_steal_pointer (&valid);
  start = g_utf8_substring (valid, 0, max_chars);
  return g_strconcat (start, "…", NULL);
}

/* _zh_dup_nicks: (transfer full): the nicks of the enum or flags @type, "a, b, c", for messages
 * that say which values a field takes. */
char *
_zh_dup_nicks (GType type)
{
  GTypeClass *klass = g_type_class_ref (type);
  GString *list = g_string_new (NULL);
  guint n_values;

  if (G_IS_ENUM_CLASS (klass))
    n_values = G_ENUM_CLASS (klass)->n_values;
  else
    n_values = G_FLAGS_CLASS (klass)->n_values;
  for (guint i = 0; i < n_values; i++)
    {
      const char *nick = G_IS_ENUM_CLASS (klass) ? G_ENUM_CLASS (klass)->values[i].value_nick
                                                 : G_FLAGS_CLASS (klass)->values[i].value_nick;

      if (i > 0)
        g_string_append (list, ", ");
      g_string_append (list, nick);
    }
  g_type_class_unref (klass);
  return g_string_free (list, FALSE);
}

/* _zh_field_wrong_type: set the error for a member of @field whose JSON type is wrong; FALSE. */
gboolean
_zh_field_wrong_type (const ZhEntityInfo *info,
                      const ZhField      *field,
                      GError            **error)
{
  const char *name = field->name;

  switch (field->type)
    {
    case ZH_FIELD_UUID:
    case ZH_FIELD_STRING:
    case ZH_FIELD_DATE:
    case ZH_FIELD_TIME:
    case ZH_FIELD_ENUM:
      /* Translators: in all “Field “%s” of %s” messages the first %s is a field name
       * (“entered_at”) and the second an entity code (“mark”), both left in English. */
      g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_WRONG_TYPE,
                   _("Field “%s” of %s: expected a string"), name, info->name);
      break;
    case ZH_FIELD_INT:
      g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_WRONG_TYPE,
                   _("Field “%s” of %s: expected a whole number"), name, info->name);
      break;
    case ZH_FIELD_REAL:
      g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_WRONG_TYPE,
                   _("Field “%s” of %s: expected a number"), name, info->name);
      break;
    case ZH_FIELD_BOOL:
      g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_WRONG_TYPE,
                   _("Field “%s” of %s: expected true or false"), name, info->name);
      break;
    case ZH_FIELD_FLAGS:
      g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_WRONG_TYPE,
                   _("Field “%s” of %s: expected an array of strings"), name, info->name);
      break;
    case ZH_FIELD_JSON:
      g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_WRONG_TYPE,
                   _("Field “%s” of %s: expected a JSON object"), name, info->name);
      break;
    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

static gboolean
invalid_utf8 (const ZhEntityInfo *info,
              const char         *name,
              GError            **error)
{
  g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_INVALID_VALUE,
               _("Field “%s” of %s: the text is not valid UTF-8"), name, info->name);
  return FALSE;
}

/* _zh_field_decode_text: decode @value (@length bytes of valid UTF-8 without NUL, -1 when
 * NUL-terminated), the JSON string of a member of @field, into @entity: ids (lower-cased), text,
 * dates, times and enum nicks; FALSE with the error that names the field when the value is not
 * one. */
gboolean
_zh_field_decode_text (const ZhEntityInfo *info,
                       const ZhField      *field,
                       const char         *value,
                       gssize              length,
                       gpointer            entity,
                       GError            **error)
{
  g_autofree char *shown = NULL;
  gsize size = length < 0 ? strlen (value) : (gsize) length;

  switch (field->type)
    {
    case ZH_FIELD_UUID:
      {
        char **slot = _zh_field_string (entity, field);
        char *id;

        /* Ids are lower case everywhere (schema.sql), so that text comparison in SQL finds them:
         * checked and lowered in one pass (a first sync decodes millions). */
        if (size == 36)
          {
            id = g_malloc (37);
            for (guint i = 0; i < 36; i++)
              {
                char c = value[i];

                if (i == 8 || i == 13 || i == 18 || i == 23 ? c != '-' : !g_ascii_isxdigit (c))
                  break;
                id[i] = c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c;
                if (i == 35)
                  {
                    id[36] = '\0';
                    g_free (*slot);
                    *slot = id;
                    return TRUE;
                  }
              }
            g_free (id);
          }
        shown = _zh_shorten (value);
        g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_INVALID_VALUE,
                     _("Field “%s” of %s: “%s” is not a UUID"), field->name, info->name, shown);
        return FALSE;
      }
    case ZH_FIELD_DATE:
      if (size != 10 || !zh_date_is_valid (value))
        {
          shown = _zh_shorten (value);
          g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_INVALID_VALUE,
                       _("Field “%s” of %s: “%s” is not a date of the form YYYY-MM-DD"),
                       field->name, info->name, shown);
          return FALSE;
        }
      break;
    case ZH_FIELD_STRING:
      break;
    case ZH_FIELD_TIME:
      if (!zh_time_from_iso8601 (value, _zh_field_int64 (entity, field)))
        {
          shown = _zh_shorten (value);
          g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_INVALID_VALUE,
                       _("Field “%s” of %s: “%s” is not a time such as "
                         "2026-11-23T09:15:00Z"), field->name, info->name, shown);
          return FALSE;
        }
      return TRUE;
    case ZH_FIELD_ENUM:
      if (!zh_enum_from_nick (field->enum_type (), value, _zh_field_enum (entity, field)))
        {
          g_autofree char *known = _zh_dup_nicks (field->enum_type ());

          shown = _zh_shorten (value);
          g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_INVALID_VALUE,
                       _("Field “%s” of %s: “%s” is not one of: %s"),
                       field->name, info->name, shown, known);
          return FALSE;
        }
      return TRUE;
    default:
      return _zh_field_wrong_type (info, field, error);
    }

  {
    char **slot = _zh_field_string (entity, field);

    g_free (*slot);
    *slot = g_strndup (value, size);
  }
  return TRUE;
}

/* _zh_field_add_flag: add the flag named @nick of @field's flags type to @value; FALSE with the
 * error that names the field when the type has no such flag. */
gboolean
_zh_field_add_flag (const ZhEntityInfo *info,
                    const ZhField      *field,
                    const char         *nick,
                    guint              *value,
                    GError            **error)
{
  GFlagsClass *klass = g_type_class_ref (field->enum_type ());
  GFlagsValue *flag = g_flags_get_value_by_nick (klass, nick);

  if (flag != NULL)
    *value |= flag->value;
  g_type_class_unref (klass);
  if (flag == NULL)
    {
      g_autofree char *shown = _zh_shorten (nick);
      g_autofree char *known = _zh_dup_nicks (field->enum_type ());

      g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_INVALID_VALUE,
                   _("Field “%s” of %s: “%s” is not one of: %s"),
                   field->name, info->name, shown, known);
      return FALSE;
    }
  return TRUE;
}

/* Decode the string member @node of @field into @entity. */
static gboolean
decode_string (const ZhEntityInfo *info,
               const ZhField      *field,
               JsonNode           *node,
               gpointer            entity,
               GError            **error)
{
  const char *value;

  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return _zh_field_wrong_type (info, field, error);
  value = json_node_get_string (node);
  if (!g_utf8_validate (value, -1, NULL))
    return invalid_utf8 (info, field->name, error);
  return _zh_field_decode_text (info, field, value, -1, entity, error);
}

static gboolean
decode_flags (const ZhEntityInfo *info,
              const ZhField      *field,
              JsonNode           *node,
              guint              *out,
              GError            **error)
{
  JsonArray *array;
  guint value = 0;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return _zh_field_wrong_type (info, field, error);

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (json_node_get_value_type (element) != G_TYPE_STRING)
        return _zh_field_wrong_type (info, field, error);
      if (!_zh_field_add_flag (info, field, json_node_get_string (element), &value, error))
        return FALSE;
    }
  *out = value;
  return TRUE;
}

static gboolean
decode_field (const ZhEntityInfo *info,
              const ZhField      *field,
              JsonNode           *node,
              gpointer            entity,
              GError            **error)
{
  GType value_type = json_node_get_value_type (node);

  switch (field->type)
    {
    case ZH_FIELD_UUID:
    case ZH_FIELD_STRING:
    case ZH_FIELD_DATE:
      return decode_string (info, field, node, entity, error);

    case ZH_FIELD_JSON:
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return _zh_field_wrong_type (info, field, error);
      g_free (*_zh_field_string (entity, field));
      *_zh_field_string (entity, field) = json_to_string (node, FALSE);
      return TRUE;

    case ZH_FIELD_TIME:
      return decode_string (info, field, node, entity, error);

    case ZH_FIELD_INT:
      /* json-glib reads 1.0 and 1e3 as reals: an integer field takes integers only. */
      if (value_type != G_TYPE_INT64)
        return _zh_field_wrong_type (info, field, error);
      *_zh_field_int64 (entity, field) = json_node_get_int (node);
      return TRUE;

    case ZH_FIELD_REAL:
      if (value_type == G_TYPE_INT64)
        {
          *_zh_field_double (entity, field) = (double) json_node_get_int (node);
          return TRUE;
        }
      if (value_type != G_TYPE_DOUBLE)
        return _zh_field_wrong_type (info, field, error);
      if (!isfinite (json_node_get_double (node)))
        {
          g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_INVALID_VALUE,
                       _("Field “%s” of %s: the number is out of range"),
                       field->name, info->name);
          return FALSE;
        }
      *_zh_field_double (entity, field) = json_node_get_double (node);
      return TRUE;

    case ZH_FIELD_BOOL:
      if (value_type != G_TYPE_BOOLEAN)
        return _zh_field_wrong_type (info, field, error);
      *_zh_field_bool (entity, field) = json_node_get_boolean (node);
      return TRUE;

    case ZH_FIELD_ENUM:
      return decode_string (info, field, node, entity, error);

    case ZH_FIELD_FLAGS:
      return decode_flags (info, field, node, _zh_field_flags (entity, field), error);

    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

/* _zh_field_set_default: give the member of @field, absent or null, its default in @entity. */
void
_zh_field_set_default (const ZhField *field,
                       gpointer       entity)
{
  if (_zh_field_is_string (field))
    {
      char **slot = _zh_field_string (entity, field);

      g_free (*slot);
      *slot = g_strdup (_zh_string_default (field));
    }
  else
    {
      set_number_default (field, entity);
    }
}

/* zh_entity_from_json: (transfer full): decode the JSON object @node as an entity of @info, or
 * return NULL with a ZH_MODEL_ERROR that names the entity and the field. Decoding is strict:
 * required members must be present and not null, every member must have the JSON type and a
 * valid value for its field, and members the entity does not have are refused. */
gpointer
zh_entity_from_json (const ZhEntityInfo *info,
                     JsonNode           *node,
                     GError            **error)
{
  gpointer entity;
  JsonObject *object;
  g_autoptr(GList) members = NULL;

  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_NOT_OBJECT,
                   _("The value of %s is not a JSON object"), info->name);
      return NULL;
    }
  object = json_node_get_object (node);

  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;

      if (zh_entity_info_find_field (info, name) == NULL)
        {
          g_autofree char *shown = _zh_shorten (name);

          g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_UNKNOWN_FIELD,
                       _("Field “%s” of %s: there is no such field"), shown, info->name);
          return NULL;
        }
    }

  entity = zh_entity_new (info);
  for (guint i = 0; i < info->n_fields; i++)
    {
      const ZhField *field = &info->fields[i];
      JsonNode *member = json_object_get_member (object, field->name);

      if (member == NULL || JSON_NODE_HOLDS_NULL (member))
        {
          /* The service sets ZH_FIELD_SERVER fields, so a client never has to send them. */
          if ((field->flags & ZH_FIELD_REQUIRED) != 0 && (field->flags & ZH_FIELD_SERVER) == 0)
            {
              g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_MISSING_FIELD,
                           _("Field “%s” of %s: a value is required"), field->name, info->name);
              zh_entity_free (info, entity);
              return NULL;
            }
          _zh_field_set_default (field, entity);
          continue;
        }

      if (!decode_field (info, field, member, entity, error))
        {
          zh_entity_free (info, entity);
          return NULL;
        }
    }
  return entity;
}

/* json-glib wraps integers beyond 64 bits, cuts strings at "\u0000" and reads "{} {}" without a
 * word. After parsing, look through the text for these among the members of the top-level
 * object, so the decoder can refuse them instead of storing a different value. */
static gboolean
check_json_text (const ZhEntityInfo *info,
                 const char         *text,
                 gsize               length,
                 GError            **error)
{
  const char *p = text;
  const char *end = text + length;
  int depth = 0;
  g_autofree char *key = NULL;   /* the current member of the top-level object */

  while (p < end)
    {
      if (*p == '"')
        {
          const char *start = ++p;
          gboolean has_nul = FALSE;

          while (p < end && *p != '"')
            {
              if (*p == '\\' && p + 1 < end)
                {
                  if (p[1] == 'u' && end - p >= 6 && strncmp (p + 2, "0000", 4) == 0)
                    has_nul = TRUE;
                  p++;
                }
              p++;
            }
          if (p >= end)
            return TRUE;   /* unterminated: the parser reports it */

          if (depth == 1)
            {
              const char *after = p + 1;

              while (after < end && g_ascii_isspace (*after))
                after++;
              if (after < end && *after == ':')
                {
                  g_free (key);
                  key = g_strndup (start, p - start);
                }
            }
          if (has_nul)
            {
              g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_INVALID_VALUE,
                           _("Field “%s” of %s: the text contains a NUL character"),
                           key != NULL ? key : "?", info->name);
              return FALSE;
            }
          p++;
        }
      else if (*p == '-' || g_ascii_isdigit (*p))
        {
          const char *start = p;
          gboolean integer = TRUE;

          while (p < end && *p != '\0' && (g_ascii_isdigit (*p) || strchr ("+-.eE", *p) != NULL))
            {
              if (strchr (".eE", *p) != NULL)
                integer = FALSE;
              p++;
            }
          if (integer && depth == 1)
            {
              g_autofree char *number = g_strndup (start, p - start);

              if (!g_ascii_string_to_signed (number, 10, G_MININT64, G_MAXINT64, NULL, NULL))
                {
                  g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_INVALID_VALUE,
                               _("Field “%s” of %s: the number is out of range"),
                               key != NULL ? key : "?", info->name);
                  return FALSE;
                }
            }
        }
      else if (*p == '{' || *p == '[')
        {
          depth++;
          p++;
        }
      else if (*p == '}' || *p == ']')
        {
          depth--;
          p++;
          if (depth == 0)
            break;
        }
      else
        p++;
    }

  /* json-glib takes "{…} {…}" without complaint; the object must be the whole text. */
  while (p < end && g_ascii_isspace (*p))
    p++;
  if (p < end)
    {
      g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_NOT_OBJECT,
                   _("The value of %s is not valid JSON: %s"), info->name,
                   _("there is text after the end of the object"));
      return FALSE;
    }
  return TRUE;
}

/* zh_entity_from_string: (transfer full): decode the JSON text @json (@length bytes, or -1 when
 * NUL-terminated) as an entity of @info, as zh_entity_from_json does; text that is not UTF-8 or
 * not JSON gives ZH_MODEL_ERROR_NOT_OBJECT. */
gpointer
zh_entity_from_string (const ZhEntityInfo *info,
                       const char         *json,
                       gssize              length,
                       GError            **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize size;

  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (json != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  size = length < 0 ? strlen (json) : (gsize) length;
  if (!g_utf8_validate_len (json, size, NULL))
    {
      g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_NOT_OBJECT,
                   _("The value of %s is not valid UTF-8 text"), info->name);
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, json, size, &local_error))
    {
      g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_NOT_OBJECT,
                   _("The value of %s is not valid JSON: %s"), info->name, local_error->message);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_NOT_OBJECT,
                   _("The value of %s is not a JSON object"), info->name);
      return NULL;
    }
  if (!check_json_text (info, json, size, error))
    return NULL;

  return zh_entity_from_json (info, json_parser_get_root (parser), error);
}

/* ---- Typed wrappers -------------------------------------------------------------------------- */

/* The functions declared by ZH_DECLARE_ENTITY: each forwards to the generic one with its info. */
#define ZH_DEFINE_ENTITY(TypeName, func_prefix)                     \
  TypeName *                                                        \
  func_prefix##_new (void)                                          \
  {                                                                 \
    return zh_entity_new (&func_prefix##_info);                     \
  }                                                                 \
                                                                    \
  void                                                              \
  func_prefix##_free (TypeName *self)                               \
  {                                                                 \
    zh_entity_free (&func_prefix##_info, self);                     \
  }                                                                 \
                                                                    \
  TypeName *                                                        \
  func_prefix##_copy (const TypeName *self)                         \
  {                                                                 \
    return zh_entity_copy (&func_prefix##_info, self);              \
  }                                                                 \
                                                                    \
  TypeName *                                                        \
  func_prefix##_from_json (JsonNode *node,                          \
                           GError  **error)                         \
  {                                                                 \
    return zh_entity_from_json (&func_prefix##_info, node, error);  \
  }                                                                 \
                                                                    \
  JsonNode *                                                        \
  func_prefix##_to_json (const TypeName *self)                      \
  {                                                                 \
    return zh_entity_to_json (&func_prefix##_info, self);           \
  }

ZH_DEFINE_ENTITY (ZhSchool, zh_school)
ZH_DEFINE_ENTITY (ZhAcademicYear, zh_academic_year)
ZH_DEFINE_ENTITY (ZhPeriod, zh_period)
ZH_DEFINE_ENTITY (ZhStaff, zh_staff)
ZH_DEFINE_ENTITY (ZhClass, zh_class)
ZH_DEFINE_ENTITY (ZhStudent, zh_student)
ZH_DEFINE_ENTITY (ZhEnrollment, zh_enrollment)
ZH_DEFINE_ENTITY (ZhSubject, zh_subject)
ZH_DEFINE_ENTITY (ZhGroup, zh_group)
ZH_DEFINE_ENTITY (ZhGroupMember, zh_group_member)
ZH_DEFINE_ENTITY (ZhCurriculum, zh_curriculum)
ZH_DEFINE_ENTITY (ZhPlanItem, zh_plan_item)
ZH_DEFINE_ENTITY (ZhTimetableSlot, zh_timetable_slot)
ZH_DEFINE_ENTITY (ZhLesson, zh_lesson)
ZH_DEFINE_ENTITY (ZhMark, zh_mark)
ZH_DEFINE_ENTITY (ZhAttendance, zh_attendance)
ZH_DEFINE_ENTITY (ZhPeriodMark, zh_period_mark)
ZH_DEFINE_ENTITY (ZhCorrection, zh_correction)

/* ---- UUIDs ----------------------------------------------------------------------------------- */

/* zh_uuid_is_valid: whether @str is a UUID in its canonical 8-4-4-4-12 hex form (either case). */
gboolean
zh_uuid_is_valid (const char *str)
{
  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < 36; i++)
    {
      if (i == 8 || i == 13 || i == 18 || i == 23)
        {
          if (str[i] != '-')
            return FALSE;
        }
      else if (!g_ascii_isxdigit (str[i]))
        return FALSE;
    }
  return str[36] == '\0';
}

static void
random_bytes (void  *buffer,
              gsize  size)
{
  guint8 *p = buffer;

  while (size > 0)
    {
      gssize n = getrandom (p, size, 0);

      if (n > 0)
        {
          p += n;
          size -= n;
        }
      else
        {
          /* getrandom fails only when interrupted or on an ancient kernel; fall back to GLib's
           * generator, seeded from /dev/urandom, which is still unique enough for ids. */
          for (; size > 0; size--)
            *p++ = g_random_int () & 0xff;
        }
    }
}

G_LOCK_DEFINE_STATIC (uuid);

/* zh_uuid_new: (transfer full): a new UUID version 7 (RFC 9562) in lower-case text: 48 bits of
 * Unix time in milliseconds, then a counter and random bits. Ids made by one process are strictly
 * increasing, so rows inserted in creation order land at the end of SQLite's index. */
char *
zh_uuid_new (void)
{
  /* RFC 9562 §6.2 method 1: rand_a and the top 30 bits of rand_b form a 42-bit counter, seeded at
   * random (top bit clear, to leave room) each new millisecond and incremented within one. */
  static guint64 last_ms;
  static guint64 counter;
  guint64 ms = (guint64) (g_get_real_time () / 1000);
  guint32 tail;
  guint8 b[16];

  random_bytes (&tail, sizeof tail);

  G_LOCK (uuid);
  if (ms > last_ms)
    {
      random_bytes (&counter, sizeof counter);
      counter &= (G_GUINT64_CONSTANT (1) << 41) - 1;
      last_ms = ms;
    }
  else
    {
      /* The same millisecond, or the clock went back: keep order by counting on. */
      counter++;
      if (counter >> 42 != 0)
        {
          last_ms++;
          counter = 0;
        }
      ms = last_ms;
    }
  {
    guint64 count = counter;
    guint64 rand_a = count >> 30;                               /* 12 bits */
    guint64 rand_b = ((count & 0x3fffffff) << 32) | tail;       /* 62 bits */

    G_UNLOCK (uuid);

    b[0] = ms >> 40;
    b[1] = ms >> 32;
    b[2] = ms >> 24;
    b[3] = ms >> 16;
    b[4] = ms >> 8;
    b[5] = ms;
    b[6] = 0x70 | ((rand_a >> 8) & 0x0f);
    b[7] = rand_a & 0xff;
    b[8] = 0x80 | ((rand_b >> 56) & 0x3f);
    b[9] = rand_b >> 48;
    b[10] = rand_b >> 40;
    b[11] = rand_b >> 32;
    b[12] = rand_b >> 24;
    b[13] = rand_b >> 16;
    b[14] = rand_b >> 8;
    b[15] = rand_b;
  }

  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                          b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* ---- Dates and times ------------------------------------------------------------------------- */

static gboolean
parse_digits (const char *str,
              guint       n,
              int        *value)
{
  int v = 0;

  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (str[i]))
        return FALSE;
      v = v * 10 + (str[i] - '0');
    }
  *value = v;
  return TRUE;
}

/* Read "YYYY-MM-DD" at the start of @str, without looking past it. */
static gboolean
parse_date_prefix (const char *str,
                   int        *year,
                   int        *month,
                   int        *day)
{
  if (!parse_digits (str, 4, year) || str[4] != '-' ||
      !parse_digits (str + 5, 2, month) || str[7] != '-' ||
      !parse_digits (str + 8, 2, day))
    return FALSE;
  return *year >= 1 && *month >= 1 && *month <= 12 && *day >= 1 &&
         *day <= g_date_get_days_in_month (*month, *year);
}

/* zh_date_is_valid: whether @str is a real calendar date written "YYYY-MM-DD". */
gboolean
zh_date_is_valid (const char *str)
{
  int year, month, day;

  if (str == NULL || strlen (str) != 10)
    return FALSE;
  return parse_date_prefix (str, &year, &month, &day);
}

/* zh_date_parse: set @date from "YYYY-MM-DD" @str; FALSE (and @date untouched) if it is not a
 * real calendar date in that form. */
gboolean
zh_date_parse (const char *str,
               GDate      *date)
{
  int year, month, day;

  g_return_val_if_fail (date != NULL, FALSE);

  if (str == NULL || strlen (str) != 10 || !parse_date_prefix (str, &year, &month, &day))
    return FALSE;
  g_date_set_dmy (date, day, month, year);
  return TRUE;
}

/* zh_date_format: (transfer full): @date written "YYYY-MM-DD". */
char *
zh_date_format (const GDate *date)
{
  g_return_val_if_fail (date != NULL && g_date_valid (date), NULL);

  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (date), g_date_get_month (date),
                          g_date_get_day (date));
}

/* zh_time_to_iso8601: (transfer full): @seconds since the epoch as "2026-11-23T09:15:00Z", or
 * NULL when the time falls outside the years 1 to 9999. */
char *
zh_time_to_iso8601 (gint64 seconds)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (seconds);

  if (time == NULL)
    return NULL;
  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

/* zh_time_from_iso8601: set @seconds from an ISO 8601 / RFC 3339 time with seconds and a zone,
 * "2026-11-23T09:15:00Z" or "2026-11-23T12:15:00.250+03:00" (a fraction is dropped); FALSE for
 * anything else. */
gboolean
zh_time_from_iso8601 (const char *str,
                      gint64     *seconds)
{
  g_autoptr(GDateTime) time = NULL;
  int year, month, day, hour, minute, second;
  int offset = 0;
  const char *p;

  g_return_val_if_fail (seconds != NULL, FALSE);

  if (str == NULL || strlen (str) < 20)
    return FALSE;
  if (!parse_date_prefix (str, &year, &month, &day) || str[10] != 'T' ||
      !parse_digits (str + 11, 2, &hour) || str[13] != ':' ||
      !parse_digits (str + 14, 2, &minute) || str[16] != ':' ||
      !parse_digits (str + 17, 2, &second) ||
      hour > 23 || minute > 59 || second > 59)
    return FALSE;

  p = str + 19;
  if (*p == '.')
    {
      p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
    }

  if (p[0] == 'Z' && p[1] == '\0')
    offset = 0;
  else if ((p[0] == '+' || p[0] == '-') && strlen (p) == 6 && p[3] == ':')
    {
      int oh, om;

      if (!parse_digits (p + 1, 2, &oh) || !parse_digits (p + 4, 2, &om) || oh > 23 || om > 59)
        return FALSE;
      offset = (oh * 60 + om) * 60 * (p[0] == '-' ? -1 : 1);
    }
  else
    return FALSE;

  time = g_date_time_new_utc (year, month, day, hour, minute, second);
  if (time == NULL)
    return FALSE;
  *seconds = g_date_time_to_unix (time) - offset;
  return TRUE;
}

/* ---- Enums ----------------------------------------------------------------------------------- */

/* zh_enum_to_nick: (transfer none): the nick of @value of the enum @enum_type, or NULL when the
 * enum has no such value. */
const char *
zh_enum_to_nick (GType enum_type,
                 int   value)
{
  GEnumClass *klass;
  GEnumValue *enum_value;
  const char *nick;

  g_return_val_if_fail (G_TYPE_IS_ENUM (enum_type), NULL);

  /* The enums are static types, never unloaded, so the nick outlives the class reference. Once
   * the class exists it is only peeked at: a page of the feed looks up thousands of nicks, and a
   * reference takes a lock. */
  klass = g_type_class_peek_static (enum_type);
  if (klass != NULL)
    {
      enum_value = g_enum_get_value (klass, value);
      return enum_value != NULL ? enum_value->value_nick : NULL;
    }
  klass = g_type_class_ref (enum_type);
  enum_value = g_enum_get_value (klass, value);
  nick = enum_value != NULL ? enum_value->value_nick : NULL;
  g_type_class_unref (klass);
  return nick;
}

/* zh_enum_from_nick: set @value to the value of the enum @enum_type whose nick is @nick; FALSE
 * (and @value untouched) when there is none. */
gboolean
zh_enum_from_nick (GType       enum_type,
                   const char *nick,
                   int        *value)
{
  GEnumClass *klass;
  GEnumValue *enum_value;

  g_return_val_if_fail (G_TYPE_IS_ENUM (enum_type), FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (nick == NULL)
    return FALSE;
  klass = g_type_class_peek_static (enum_type);
  if (klass != NULL)
    enum_value = g_enum_get_value_by_nick (klass, nick);
  else
    {
      klass = g_type_class_ref (enum_type);
      enum_value = g_enum_get_value_by_nick (klass, nick);
      g_type_class_unref (klass);
    }
  if (enum_value != NULL)
    *value = enum_value->value;
  return enum_value != NULL;
}

/* ---- Names ----------------------------------------------------------------------------------- */

static char *
join_name (const char *last,
           const char *first,
           const char *middle)
{
  const char *parts[] = { last, first, middle };
  GString *name = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      if (parts[i] == NULL || parts[i][0] == '\0')
        continue;
      if (name->len > 0)
        g_string_append_c (name, ' ');
      g_string_append (name, parts[i]);
    }
  return g_string_free (name, FALSE);
}

/* Append " X." for the first character (not byte) of @name, if it has one. */
static void
append_initial (GString    *str,
                const char *name)
{
  gunichar c;

  if (name == NULL || name[0] == '\0' || !g_utf8_validate (name, -1, NULL))
    return;
  c = g_utf8_get_char (name);
  g_string_append_c (str, ' ');
  g_string_append_unichar (str, g_unichar_toupper (c));
  g_string_append_c (str, '.');
}

/* zh_staff_dup_full_name: (transfer full): «Иванова Анна Петровна», without a missing middle
 * name. */
char *
zh_staff_dup_full_name (const ZhStaff *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return join_name (self->last_name, self->first_name, self->middle_name);
}

/* zh_staff_dup_short_name: (transfer full): the surname and initials, «Иванова А. П.», or
 * «Иванова А.» without a middle name. */
char *
zh_staff_dup_short_name (const ZhStaff *self)
{
  GString *name;

  g_return_val_if_fail (self != NULL, NULL);

  name = g_string_new (self->last_name != NULL ? self->last_name : "");
  append_initial (name, self->first_name);
  append_initial (name, self->middle_name);
  if (name->len > 0 && name->str[0] == ' ')
    g_string_erase (name, 0, 1);
  return g_string_free (name, FALSE);
}

/* zh_student_dup_full_name: (transfer full): «Петров Иван Сергеевич», without a missing middle
 * name. */
char *
zh_student_dup_full_name (const ZhStudent *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return join_name (self->last_name, self->first_name, self->middle_name);
}

/* zh_class_dup_name: (transfer full): the grade and letter, «5А». */
char *
zh_class_dup_name (const ZhClass *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_strdup_printf ("%" G_GINT64_FORMAT "%s", self->grade,
                          self->letter != NULL ? self->letter : "");
}
