/* zh-model-private.h: access to the fields of an entity struct through its ZhField, shared by
 * the JSON codecs (zh-model.c) and the SQL mapping (zh-entity-sql.c). */
#pragma once

#include "zh-model.h"

G_BEGIN_DECLS

#define _ZH_FIELD_PTR(entity, field) ((guint8 *) (entity) + (field)->offset)

static inline char **
_zh_field_string (gpointer       entity,
                  const ZhField *field)
{
  return (char **) (gpointer) _ZH_FIELD_PTR (entity, field);
}

static inline gint64 *
_zh_field_int64 (gpointer       entity,
                 const ZhField *field)
{
  return (gint64 *) (gpointer) _ZH_FIELD_PTR (entity, field);
}

static inline double *
_zh_field_double (gpointer       entity,
                  const ZhField *field)
{
  return (double *) (gpointer) _ZH_FIELD_PTR (entity, field);
}

static inline gboolean *
_zh_field_bool (gpointer       entity,
                const ZhField *field)
{
  return (gboolean *) (gpointer) _ZH_FIELD_PTR (entity, field);
}

/* Enum members are C enums; every enum of zh-types.h has the size of an int. */
static inline int *
_zh_field_enum (gpointer       entity,
                const ZhField *field)
{
  return (int *) (gpointer) _ZH_FIELD_PTR (entity, field);
}

static inline guint *
_zh_field_flags (gpointer       entity,
                 const ZhField *field)
{
  return (guint *) (gpointer) _ZH_FIELD_PTR (entity, field);
}

static inline gboolean
_zh_field_is_string (const ZhField *field)
{
  switch (field->type)
    {
    case ZH_FIELD_UUID:
    case ZH_FIELD_STRING:
    case ZH_FIELD_DATE:
    case ZH_FIELD_JSON:
      return TRUE;
    case ZH_FIELD_TIME:
    case ZH_FIELD_INT:
    case ZH_FIELD_REAL:
    case ZH_FIELD_BOOL:
    case ZH_FIELD_ENUM:
    case ZH_FIELD_FLAGS:
    default:
      return FALSE;
    }
}

/* The value a NULL string field stands for: NULL for a nullable field and for ids and dates
 * (which have no default), "" for text, "{}" for a JSON object. */
static inline const char *
_zh_string_default (const ZhField *field)
{
  if ((field->flags & ZH_FIELD_NULLABLE) != 0)
    return NULL;
  if (field->type == ZH_FIELD_STRING)
    return "";
  if (field->type == ZH_FIELD_JSON)
    return "{}";
  return NULL;
}

static inline const char *
_zh_string_value (gconstpointer  entity,
                  const ZhField *field)
{
  const char *value = *_zh_field_string ((gpointer) entity, field);

  return value != NULL ? value : _zh_string_default (field);
}

char     *_zh_dup_nicks          (GType               type);
char     *_zh_shorten            (const char         *value);
gboolean  _zh_field_wrong_type   (const ZhEntityInfo *info,
                                  const ZhField      *field,
                                  GError            **error);
gboolean  _zh_field_decode_text  (const ZhEntityInfo *info,
                                  const ZhField      *field,
                                  const char         *value,
                                  gssize              length,
                                  gpointer            entity,
                                  GError            **error);
gboolean  _zh_field_add_flag     (const ZhEntityInfo *info,
                                  const ZhField      *field,
                                  const char         *nick,
                                  guint              *value,
                                  GError            **error);
void      _zh_field_set_default  (const ZhField      *field,
                                  gpointer            entity);

G_END_DECLS
