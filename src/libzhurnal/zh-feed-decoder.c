/* zh-feed-decoder.c: pages of the changes feed decoded as they are parsed (issue 5).
 *
 * A first sync reads millions of rows. Building a json-glib tree of each page and walking it cost
 * half of the client's time in allocating and freeing nodes, so the page goes through yajl's event
 * parser (libyajl, Debian's SAX-style JSON parser) and each value lands in its entity struct as it
 * is read. The checks are the tree decoder's, one for one, with its messages:
 *
 * - the text: JSON (yajl's grammar, nothing after the page), UTF-8 in every string and member
 *   name, nesting at most ZH_CLIENT_MAX_DEPTH deep — otherwise ZH_CLIENT_ERROR_SERVER, wherever
 *   in the text, as when the whole body was checked before parsing;
 * - the page (ZH_CLIENT_ERROR_PROTOCOL, the message is the detail the client quotes): an object
 *   with `changes` (array), `next` (whole number), `more` (boolean), in that order of checks; at
 *   most `limit` changes; each change an object with `rev` after the one before, a known
 *   `entity`, a valid `id`, `deleted`, and a row (`value`) unless deleted; the row's id and rev
 *   those of its change; `next` the last rev; no empty page saying more waits;
 * - each row as zh_entity_from_json decodes it (ZH_MODEL_ERROR in the change's message): members
 *   the entity does not have come first, then the fields in table order — required members
 *   present and not null, JSON types, UUIDs (lower-cased), dates, times, enum and flag nicks,
 *   finite numbers, whole numbers within 64 bits.
 *
 * Stricter than the tree decoder where json-glib was silently lenient: a member given twice is
 * refused (json-glib kept the last), so is a string holding U+0000 in a row (json-glib cut the
 * string there), and text after the page's object.
 *
 * Errors of the contract do not stop the parse: the rest of the text is still read, so a body
 * that is not JSON further on is reported as such, and the page's checks keep their order. A row
 * that comes before its change names its entity is kept as text and decoded when the change ends.
 */
#define G_LOG_DOMAIN "zh-client"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <yajl/yajl_parse.h>

#include "zh-feed-decoder-private.h"
#include "zh-json-writer.h"
#include "zh-model-private.h"

/* The field tables have at most this many fields (one bit each in a guint64). */
#define MAX_FIELDS 64

typedef enum
{
  LEVEL_ROOT,        /* the page object itself, or a row's object in row mode */
  LEVEL_PAGE,        /* members of the page */
  LEVEL_CHANGES,     /* elements of `changes` */
  LEVEL_CHANGE,      /* members of one change */
  LEVEL_ROW,         /* members of a row */
  LEVEL_FLAGS,       /* elements of a flags member of a row */
} Level;

typedef enum
{
  PAGE_OTHER,
  PAGE_CHANGES,
  PAGE_NEXT,
  PAGE_MORE,
} PageMember;

typedef enum
{
  CHANGE_OTHER,
  CHANGE_REV,
  CHANGE_ENTITY,
  CHANGE_ID,
  CHANGE_DELETED,
  CHANGE_VALUE,
} ChangeMember;

typedef enum
{
  VALUE_ABSENT,
  VALUE_NULL,
  VALUE_NOT_OBJECT,
  VALUE_ROW,         /* decoded into value, or value_error */
  VALUE_TEXT,        /* kept as text in value_text: it came before the entity */
} ValueState;

typedef enum
{
  EVENT_NULL,
  EVENT_BOOL,
  EVENT_NUMBER,
  EVENT_STRING,
  EVENT_MAP,
  EVENT_ARRAY,
} Event;

/* The row being decoded. */
typedef struct
{
  const ZhEntityInfo *info;
  gpointer            entity;
  guint64             seen;              /* fields whose member was read */
  guint64             given;             /* ... and was not null */
  int                 field;             /* the member whose value comes next; -1: skipped */
  guint               next;              /* the field after the last member read */
  guint               flags;             /* the flags member being read */
  gboolean            flags_ok;
  GError             *member_error;      /* the first member the entity does not have, or repeated */
  GError             *field_error;       /* the error of the first field, in table order, ... */
  guint               field_error_index; /* ... with a bad value */
} Row;

/* The change being decoded; its checks wait for its end, to keep the order of the tree decoder. */
typedef struct
{
  guint               seen;              /* bits of ChangeMember */
  GError             *error;             /* a member given twice */
  gboolean            rev_ok;
  gint64              rev;
  const ZhEntityInfo *info;
  char               *id;                /* NULL unless a string */
  gboolean            deleted_ok;
  gboolean            deleted;
  ValueState          value_state;
  gpointer            value;
  GError             *value_error;
  char               *value_text;
} Change;

struct _ZhFeedDecoder
{
  yajl_handle    parser;
  gboolean       row_mode;               /* the text is one row of row_info, not a page */
  const ZhEntityInfo *row_info;
  guint          row_depth;              /* the depth inside a row's object */
  guint          depth;                  /* containers open */
  GError        *fatal;                  /* the text is not JSON */
  GString       *scratch;

  /* A container value skipped or kept as text, until depth falls back to its base. */
  gboolean       skipping;
  guint          skip_base;
  gboolean       capturing;
  guint          capture_base;
  GString       *capture;
  ZhJsonWriter  *capture_writer;

  /* The page. */
  gint64         since;
  guint          limit;
  gboolean       root_seen;
  gboolean       root_not_object;
  PageMember     page_member;
  guint          page_seen;              /* bits of PageMember */
  GError        *page_error;             /* a member given twice */
  gboolean       changes_ok;
  gboolean       next_ok;
  gboolean       more_ok;
  guint          count;                  /* elements of `changes` */
  gint64         last;
  GError        *change_error;           /* the first change that breaks the contract */
  ChangeMember   change_member;
  Change         change;
  ZhChangesPage *page;

  Row            row;
  gpointer       row_result;             /* row mode: the row decoded, or row_result_error */
  GError        *row_result_error;
};

/* ---- errors --------------------------------------------------------------------------------- */

static int
fail_not_json (ZhFeedDecoder *self,
               const char    *why)
{
  /* The client answers "unavailable" for any body that is not JSON; the detail is for debugging. */
  if (self->fatal == NULL)
    self->fatal = g_error_new (ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_SERVER, "%s", why);
  return 0;
}

static gboolean G_GNUC_PRINTF (2, 3)
change_fail (ZhFeedDecoder *self,
             const char    *format,
             ...)
{
  va_list args;

  if (self->change_error != NULL)
    return FALSE;
  va_start (args, format);
  self->change_error = g_error_new_valist (ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_PROTOCOL, format, args);
  va_end (args);
  return FALSE;
}

/* Whether @length bytes at @text are UTF-8 (U+0000 allowed, and noted in @has_nul). */
static gboolean
text_is_utf8 (const guchar *text,
              gsize         length,
              gboolean     *has_nul)
{
  const char *p = (const char *) text;
  const char *end = p + length;

  *has_nul = FALSE;
  while (p < end)
    {
      const char *stop;

      if (g_utf8_validate_len (p, end - p, &stop))
        return TRUE;
      if (*stop != '\0')
        return FALSE;
      *has_nul = TRUE;
      p = stop + 1;
    }
  return TRUE;
}

/* @length bytes at @text as a NUL-terminated string in the decoder's scratch buffer. */
static const char *
scratch_text (ZhFeedDecoder *self,
              const char    *text,
              gsize          length)
{
  g_string_truncate (self->scratch, 0);
  g_string_append_len (self->scratch, text, length);
  return self->scratch->str;
}

/* A JSON number as a whole number within 64 bits, as json-glib reads integers. */
static gboolean
number_to_int (ZhFeedDecoder *self,
               const char    *text,
               gsize          length,
               gint64        *value)
{
  if (memchr (text, '.', length) != NULL || memchr (text, 'e', length) != NULL ||
      memchr (text, 'E', length) != NULL)
    return FALSE;
  return g_ascii_string_to_signed (scratch_text (self, text, length), 10, G_MININT64, G_MAXINT64,
                                   value, NULL);
}

/* ---- rows ----------------------------------------------------------------------------------- */

static void
row_clear (Row *row)
{
  if (row->entity != NULL)
    zh_entity_free (row->info, row->entity);
  g_clear_error (&row->member_error);
  g_clear_error (&row->field_error);
  memset (row, 0, sizeof *row);
}

static void
row_begin (ZhFeedDecoder      *self,
           const ZhEntityInfo *info)
{
  g_assert (info->n_fields <= MAX_FIELDS);
  row_clear (&self->row);
  self->row.info = info;
  self->row.entity = zh_entity_new (info);
  self->row.field = -1;
}

/* Keep @error (owned) if its field comes before the field of the error kept so far. */
static void
row_field_error (Row    *row,
                 guint   index,
                 GError *error)
{
  if (row->field_error == NULL || index < row->field_error_index)
    {
      g_clear_error (&row->field_error);
      row->field_error = error;
      row->field_error_index = index;
    }
  else
    g_error_free (error);
}

static void
row_key (ZhFeedDecoder *self,
         const char    *key,
         gsize          length,
         gboolean       has_nul)
{
  Row *row = &self->row;
  const ZhEntityInfo *info = row->info;

  row->field = -1;
  if (!has_nul)
    for (guint n = 0; n < info->n_fields; n++)
      {
        /* The service writes the members in table order: try the one after the last first. */
        guint i = (row->next + n) % info->n_fields;
        const char *name = info->fields[i].name;

        if (strncmp (name, key, length) == 0 && name[length] == '\0')
          {
            if ((row->seen & (G_GUINT64_CONSTANT (1) << i)) != 0)
              {
                if (row->member_error == NULL)
                  row->member_error = g_error_new (ZH_MODEL_ERROR, ZH_MODEL_ERROR_INVALID_VALUE,
                                                   _("Field “%s” of %s: the member is given more "
                                                     "than once"), name, info->name);
                return;
              }
            row->seen |= G_GUINT64_CONSTANT (1) << i;
            row->field = (int) i;
            row->next = i + 1;
            return;
          }
      }

  if (row->member_error == NULL)
    {
      g_autofree char *shown = _zh_shorten (scratch_text (self, key, length));

      row->member_error = g_error_new (ZH_MODEL_ERROR, ZH_MODEL_ERROR_UNKNOWN_FIELD,
                                       _("Field “%s” of %s: there is no such field"), shown,
                                       info->name);
    }
}

/* A scalar value of the current member of the row. */
static void
row_scalar (ZhFeedDecoder *self,
            Event          event,
            const char    *text,
            gsize          length,
            gboolean       boolean,
            gboolean       has_nul)
{
  Row *row = &self->row;
  const ZhEntityInfo *info = row->info;
  const ZhField *field;
  GError *error = NULL;
  guint index;

  if (row->field < 0)
    return;
  index = (guint) row->field;
  field = &info->fields[index];
  row->field = -1;

  switch (event)
    {
    case EVENT_NULL:
      return;

    case EVENT_STRING:
      if (has_nul)
        g_set_error (&error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_INVALID_VALUE,
                     _("Field “%s” of %s: the text contains a NUL character"),
                     field->name, info->name);
      else if (field->type == ZH_FIELD_TIME || field->type == ZH_FIELD_ENUM ||
               field->type == ZH_FIELD_DATE || field->type == ZH_FIELD_UUID)
        _zh_field_decode_text (info, field, scratch_text (self, text, length), length,
                               row->entity, &error);
      else
        {
          /* Text is copied once, straight from the parser's buffer. */
          _zh_field_decode_text (info, field, text, length, row->entity, &error);
        }
      break;

    case EVENT_NUMBER:
      if (field->type == ZH_FIELD_INT)
        {
          gboolean integer = memchr (text, '.', length) == NULL && memchr (text, 'e', length) == NULL &&
                             memchr (text, 'E', length) == NULL;

          if (!integer)
            _zh_field_wrong_type (info, field, &error);
          else if (!number_to_int (self, text, length, _zh_field_int64 (row->entity, field)))
            g_set_error (&error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_INVALID_VALUE,
                         _("Field “%s” of %s: the number is out of range"), field->name, info->name);
        }
      else if (field->type == ZH_FIELD_REAL)
        {
          double value = g_ascii_strtod (scratch_text (self, text, length), NULL);

          if (!isfinite (value))
            g_set_error (&error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_INVALID_VALUE,
                         _("Field “%s” of %s: the number is out of range"), field->name, info->name);
          else
            *_zh_field_double (row->entity, field) = value;
        }
      else
        _zh_field_wrong_type (info, field, &error);
      break;

    case EVENT_BOOL:
      if (field->type == ZH_FIELD_BOOL)
        *_zh_field_bool (row->entity, field) = boolean;
      else
        _zh_field_wrong_type (info, field, &error);
      break;

    case EVENT_MAP:
    case EVENT_ARRAY:
    default:
      g_assert_not_reached ();
    }

  row->given |= G_GUINT64_CONSTANT (1) << index;
  if (error != NULL)
    row_field_error (row, index, error);
}

/* The row is complete: (transfer full) the entity, or NULL with @error. */
static gpointer
row_end (Row     *row,
         GError **error)
{
  const ZhEntityInfo *info = row->info;
  gpointer entity;

  if (row->member_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&row->member_error));
      row_clear (row);
      return NULL;
    }
  for (guint i = 0; i < info->n_fields; i++)
    {
      const ZhField *field = &info->fields[i];

      if (row->field_error != NULL && i == row->field_error_index)
        {
          g_propagate_error (error, g_steal_pointer (&row->field_error));
          row_clear (row);
          return NULL;
        }
      if ((row->given & (G_GUINT64_CONSTANT (1) << i)) != 0)
        continue;
      /* The service sets ZH_FIELD_SERVER fields, so a client never has to send them. */
      if ((field->flags & ZH_FIELD_REQUIRED) != 0 && (field->flags & ZH_FIELD_SERVER) == 0)
        {
          g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_MISSING_FIELD,
                       _("Field “%s” of %s: a value is required"), field->name, info->name);
          row_clear (row);
          return NULL;
        }
      _zh_field_set_default (field, row->entity);
    }
  entity = g_steal_pointer (&row->entity);
  row_clear (row);
  return entity;
}

/* ---- keeping a value as text ---------------------------------------------------------------- */

static void
capture_begin (ZhFeedDecoder *self,
               Event          event)
{
  g_assert (!self->capturing);
  self->capturing = TRUE;
  self->capture_base = self->depth;
  g_string_truncate (self->capture, 0);
  g_clear_pointer (&self->capture_writer, zh_json_writer_free);
  self->capture_writer = zh_json_writer_new (self->capture);
  if (event == EVENT_MAP)
    zh_json_writer_begin_object (self->capture_writer);
  else
    zh_json_writer_begin_array (self->capture_writer);
}

static void
capture_event (ZhFeedDecoder *self,
               Event          event,
               const char    *text,
               gsize          length,
               gboolean       boolean)
{
  ZhJsonWriter *writer = self->capture_writer;

  switch (event)
    {
    case EVENT_NULL:
      zh_json_writer_null (writer);
      break;
    case EVENT_BOOL:
      zh_json_writer_bool (writer, boolean);
      break;
    case EVENT_NUMBER:
      zh_json_writer_raw (writer, scratch_text (self, text, length));
      break;
    case EVENT_STRING:
      zh_json_writer_string_len (writer, text, length);
      break;
    case EVENT_MAP:
      zh_json_writer_begin_object (writer);
      break;
    case EVENT_ARRAY:
      zh_json_writer_begin_array (writer);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* A JSON field (the school's policy) is kept as json-glib writes it, as the tree decoder did. */
static void
row_json_field_done (ZhFeedDecoder *self)
{
  Row *row = &self->row;
  const ZhField *field;
  g_autoptr(JsonNode) node = NULL;
  char **slot;

  if (row->field < 0)
    return;
  field = &row->info->fields[row->field];
  row->given |= G_GUINT64_CONSTANT (1) << row->field;
  node = json_from_string (self->capture->str, NULL);
  g_assert (node != NULL);
  slot = _zh_field_string (row->entity, field);
  g_free (*slot);
  *slot = json_to_string (node, FALSE);
  row->field = -1;
}

static void
capture_end (ZhFeedDecoder *self)
{
  self->capturing = FALSE;
  g_clear_pointer (&self->capture_writer, zh_json_writer_free);
  if (self->depth == self->row_depth)
    row_json_field_done (self);
  else
    {
      /* A change's row that came before its entity. */
      g_assert (!self->row_mode && self->depth == 3);
      self->change.value_state = VALUE_TEXT;
      g_free (self->change.value_text);
      self->change.value_text = g_strndup (self->capture->str, self->capture->len);
    }
}

/* ---- changes -------------------------------------------------------------------------------- */

static void
change_clear (Change *change)
{
  g_clear_error (&change->error);
  g_free (change->id);
  if (change->value != NULL)
    zh_entity_free (change->info, change->value);
  g_clear_error (&change->value_error);
  g_free (change->value_text);
  memset (change, 0, sizeof *change);
}

static void
change_key (ZhFeedDecoder *self,
            const char    *key,
            gsize          length,
            gboolean       has_nul)
{
  static const char * const names[] = { NULL, "rev", "entity", "id", "deleted", "value" };
  Change *change = &self->change;

  self->change_member = CHANGE_OTHER;
  if (has_nul)
    return;
  for (guint i = 1; i < G_N_ELEMENTS (names); i++)
    if (strncmp (names[i], key, length) == 0 && names[i][length] == '\0')
      {
        if ((change->seen & (1u << i)) != 0)
          {
            if (change->error == NULL)
              change->error = g_error_new (ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_PROTOCOL,
                                           _("change %u has the member “%s” more than once"),
                                           self->count - 1, names[i]);
            return;
          }
        change->seen |= 1u << i;
        self->change_member = i;
        return;
      }
}

/* A value of a member of the change; TRUE when a container value is taken care of (a row begun
 * or kept as text), FALSE when it is to be skipped. */
static gboolean
change_value (ZhFeedDecoder *self,
              Event          event,
              const char    *text,
              gsize          length,
              gboolean       boolean,
              gboolean       has_nul)
{
  Change *change = &self->change;
  ChangeMember member = self->change_member;

  self->change_member = CHANGE_OTHER;
  switch (member)
    {
    case CHANGE_REV:
      change->rev_ok = event == EVENT_NUMBER && number_to_int (self, text, length, &change->rev);
      break;
    case CHANGE_ENTITY:
      if (event == EVENT_STRING && !has_nul)
        change->info = zh_entity_info_lookup (scratch_text (self, text, length));
      break;
    case CHANGE_ID:
      if (event == EVENT_STRING && !has_nul)
        change->id = g_strndup (text, length);
      break;
    case CHANGE_DELETED:
      change->deleted_ok = event == EVENT_BOOL;
      change->deleted = boolean;
      break;
    case CHANGE_VALUE:
      if (event == EVENT_NULL)
        change->value_state = VALUE_NULL;
      else if (event != EVENT_MAP)
        change->value_state = VALUE_NOT_OBJECT;
      else if (change->info != NULL)
        {
          change->value_state = VALUE_ROW;
          row_begin (self, change->info);
          return TRUE;
        }
      else
        {
          capture_begin (self, event);
          return TRUE;
        }
      break;
    case CHANGE_OTHER:
    default:
      break;
    }
  return FALSE;
}

/* The change is complete: check it in the tree decoder's order and add it to the page. */
static gboolean
change_end (ZhFeedDecoder *self)
{
  Change *change = &self->change;
  guint i = self->count - 1;

  if (self->change_error != NULL)
    return FALSE;
  if (change->error != NULL)
    {
      self->change_error = g_steal_pointer (&change->error);
      return FALSE;
    }
  if (!change->rev_ok || change->rev <= self->last)
    return change_fail (self, _("change %u has no rev, or one not after the rev before it"), i);
  self->last = change->rev;
  if (change->info == NULL)
    return change_fail (self, _("change %u names no known entity"), i);
  if (change->id == NULL || !zh_uuid_is_valid (change->id))
    return change_fail (self, _("change %u has no valid id"), i);
  if (!change->deleted_ok)
    return change_fail (self, _("change %u does not say whether the row was deleted"), i);

  if (change->deleted)
    {
      if (change->value_state != VALUE_ABSENT && change->value_state != VALUE_NULL)
        return change_fail (self, _("change %u is a deletion but carries a row"), i);
    }
  else
    {
      ZhEntity *row;

      switch (change->value_state)
        {
        case VALUE_ABSENT:
          return change_fail (self, _("change %u carries no row"), i);
        case VALUE_NULL:
        case VALUE_NOT_OBJECT:
          {
            g_autofree char *detail = g_strdup_printf (_("The value of %s is not a JSON object"),
                                                       change->info->name);

            return change_fail (self, _("change %u: %s"), i, detail);
          }
        case VALUE_TEXT:
          change->value = _zh_feed_decode_row (change->info, change->value_text,
                                               strlen (change->value_text), &change->value_error);
          break;
        case VALUE_ROW:
        default:
          break;
        }
      if (change->value == NULL)
        return change_fail (self, _("change %u: %s"), i, change->value_error->message);
      row = change->value;
      if (g_strcmp0 (row->id, change->id) != 0 || row->rev != change->rev)
        return change_fail (self, _("change %u: the row’s id or rev differs from the change’s"), i);
    }

  {
    ZhChange *out = g_new0 (ZhChange, 1);

    out->rev = change->rev;
    out->info = change->info;
    out->id = g_steal_pointer (&change->id);
    out->deleted = change->deleted;
    out->value = g_steal_pointer (&change->value);
    g_ptr_array_add (self->page->changes, out);
  }
  return TRUE;
}

/* ---- the page ------------------------------------------------------------------------------- */

static void
page_key (ZhFeedDecoder *self,
          const char    *key,
          gsize          length,
          gboolean       has_nul)
{
  static const char * const names[] = { NULL, "changes", "next", "more" };

  self->page_member = PAGE_OTHER;
  if (has_nul)
    return;
  for (guint i = 1; i < G_N_ELEMENTS (names); i++)
    if (strncmp (names[i], key, length) == 0 && names[i][length] == '\0')
      {
        if ((self->page_seen & (1u << i)) != 0)
          {
            if (self->page_error == NULL)
              self->page_error = g_error_new (ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_PROTOCOL,
                                              _("the member “%s” is given more than once"),
                                              names[i]);
            return;
          }
        self->page_seen |= 1u << i;
        self->page_member = i;
        return;
      }
}

/* A value of a member of the page; TRUE when a container value is entered. */
static gboolean
page_value (ZhFeedDecoder *self,
            Event          event,
            const char    *text,
            gsize          length,
            gboolean       boolean)
{
  PageMember member = self->page_member;

  self->page_member = PAGE_OTHER;
  switch (member)
    {
    case PAGE_CHANGES:
      self->changes_ok = event == EVENT_ARRAY;
      return self->changes_ok;
    case PAGE_NEXT:
      self->next_ok = event == EVENT_NUMBER && number_to_int (self, text, length, &self->page->next);
      break;
    case PAGE_MORE:
      self->more_ok = event == EVENT_BOOL;
      self->page->more = boolean;
      break;
    case PAGE_OTHER:
    default:
      break;
    }
  return FALSE;
}

/* ---- events --------------------------------------------------------------------------------- */

static Level
level_of (ZhFeedDecoder *self,
          guint          depth)
{
  if (depth == self->row_depth)
    return LEVEL_ROW;
  if (depth == self->row_depth + 1)
    return LEVEL_FLAGS;
  g_assert (depth < LEVEL_ROW);
  return (Level) depth;
}

/* A value at the current depth: a scalar, or the start of a container (EVENT_MAP, EVENT_ARRAY). */
static int
on_value (ZhFeedDecoder *self,
          Event          event,
          const char    *text,
          gsize          length,
          gboolean       boolean,
          gboolean       has_nul)
{
  gboolean container = event == EVENT_MAP || event == EVENT_ARRAY;
  gboolean entered = FALSE;

  if (self->skipping)
    goto done;
  if (self->capturing)
    {
      capture_event (self, event, text, length, boolean);
      goto done;
    }

  switch (level_of (self, self->depth))
    {
    case LEVEL_ROOT:
      self->root_seen = TRUE;
      if (self->row_mode)
        {
          if (event == EVENT_MAP)
            {
              row_begin (self, self->row_info);
              entered = TRUE;
            }
          else
            self->root_not_object = TRUE;
        }
      else
        {
          entered = event == EVENT_MAP;
          self->root_not_object = !entered;
        }
      break;

    case LEVEL_PAGE:
      entered = page_value (self, event, text, length, boolean);
      break;

    case LEVEL_CHANGES:
      self->count++;
      if (self->count > self->limit || self->change_error != NULL)
        break;
      if (event != EVENT_MAP)
        {
          change_fail (self, _("change %u is not an object"), self->count - 1);
          break;
        }
      change_clear (&self->change);
      self->change_member = CHANGE_OTHER;
      entered = TRUE;
      break;

    case LEVEL_CHANGE:
      entered = change_value (self, event, text, length, boolean, has_nul);
      break;

    case LEVEL_ROW:
      if (event == EVENT_MAP || event == EVENT_ARRAY)
        {
          const ZhField *field = self->row.field >= 0 ? &self->row.info->fields[self->row.field] : NULL;

          if (field != NULL && event == EVENT_MAP && field->type == ZH_FIELD_JSON)
            {
              capture_begin (self, event);
              entered = TRUE;
            }
          else if (field != NULL && event == EVENT_ARRAY && field->type == ZH_FIELD_FLAGS)
            {
              self->row.flags = 0;
              self->row.flags_ok = TRUE;
              entered = TRUE;
            }
          else if (field != NULL)
            {
              GError *error = NULL;

              _zh_field_wrong_type (self->row.info, field, &error);
              self->row.given |= G_GUINT64_CONSTANT (1) << self->row.field;
              row_field_error (&self->row, (guint) self->row.field, error);
              self->row.field = -1;
            }
        }
      else
        row_scalar (self, event, text, length, boolean, has_nul);
      break;

    case LEVEL_FLAGS:
      if (self->row.flags_ok)
        {
          const ZhField *field = &self->row.info->fields[self->row.field];
          GError *error = NULL;

          if (event != EVENT_STRING)
            _zh_field_wrong_type (self->row.info, field, &error);
          else if (has_nul)
            g_set_error (&error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_INVALID_VALUE,
                         _("Field “%s” of %s: the text contains a NUL character"),
                         field->name, self->row.info->name);
          else
            _zh_field_add_flag (self->row.info, field, scratch_text (self, text, length),
                                &self->row.flags, &error);
          if (error != NULL)
            {
              self->row.flags_ok = FALSE;
              row_field_error (&self->row, (guint) self->row.field, error);
            }
        }
      break;

    default:
      g_assert_not_reached ();
    }

  if (container && !entered)
    {
      self->skipping = TRUE;
      self->skip_base = self->depth;
    }

done:
  if (container && ++self->depth > ZH_CLIENT_MAX_DEPTH)
    return fail_not_json (self, "nested too deeply");
  return 1;
}

static int
on_end (ZhFeedDecoder *self,
        gboolean       map)
{
  Level level;

  self->depth--;
  if (self->skipping)
    {
      if (self->depth == self->skip_base)
        self->skipping = FALSE;
      return 1;
    }
  if (self->capturing)
    {
      if (map)
        zh_json_writer_end_object (self->capture_writer);
      else
        zh_json_writer_end_array (self->capture_writer);
      if (self->depth == self->capture_base)
        capture_end (self);
      return 1;
    }

  level = level_of (self, self->depth + 1);
  switch (level)
    {
    case LEVEL_ROW:
      {
        GError *error = NULL;
        gpointer entity = row_end (&self->row, &error);

        if (self->row_mode)
          {
            self->row_result = entity;
            self->row_result_error = error;
          }
        else
          {
            self->change.value = entity;
            self->change.value_error = error;
          }
      }
      break;
    case LEVEL_FLAGS:
      if (self->row.flags_ok)
        *_zh_field_flags (self->row.entity, &self->row.info->fields[self->row.field]) = self->row.flags;
      self->row.given |= G_GUINT64_CONSTANT (1) << self->row.field;
      self->row.field = -1;
      break;
    case LEVEL_CHANGE:
      change_end (self);
      break;
    case LEVEL_ROOT:
    case LEVEL_PAGE:
    case LEVEL_CHANGES:
    default:
      break;
    }
  return 1;
}

static int
cb_null (void *ctx)
{
  return on_value (ctx, EVENT_NULL, NULL, 0, FALSE, FALSE);
}

static int
cb_boolean (void *ctx,
            int   value)
{
  return on_value (ctx, EVENT_BOOL, NULL, 0, value != 0, FALSE);
}

static int
cb_number (void       *ctx,
           const char *text,
           size_t      length)
{
  return on_value (ctx, EVENT_NUMBER, text, length, FALSE, FALSE);
}

static int
cb_string (void                *ctx,
           const unsigned char *text,
           size_t               length)
{
  gboolean has_nul;

  if (!text_is_utf8 (text, length, &has_nul))
    return fail_not_json (ctx, "a string is not UTF-8");
  return on_value (ctx, EVENT_STRING, (const char *) text, length, FALSE, has_nul);
}

static int
cb_start_map (void *ctx)
{
  return on_value (ctx, EVENT_MAP, NULL, 0, FALSE, FALSE);
}

static int
cb_start_array (void *ctx)
{
  return on_value (ctx, EVENT_ARRAY, NULL, 0, FALSE, FALSE);
}

static int
cb_end_map (void *ctx)
{
  return on_end (ctx, TRUE);
}

static int
cb_end_array (void *ctx)
{
  return on_end (ctx, FALSE);
}

static int
cb_map_key (void                *ctx,
            const unsigned char *key,
            size_t               length)
{
  ZhFeedDecoder *self = ctx;
  gboolean has_nul;

  if (!text_is_utf8 (key, length, &has_nul))
    return fail_not_json (self, "a member name is not UTF-8");
  if (self->skipping)
    return 1;
  if (self->capturing)
    {
      zh_json_writer_key_len (self->capture_writer, (const char *) key, length);
      return 1;
    }
  switch (level_of (self, self->depth))
    {
    case LEVEL_PAGE:
      page_key (self, (const char *) key, length, has_nul);
      break;
    case LEVEL_CHANGE:
      change_key (self, (const char *) key, length, has_nul);
      break;
    case LEVEL_ROW:
      row_key (self, (const char *) key, length, has_nul);
      break;
    case LEVEL_ROOT:
    case LEVEL_CHANGES:
    case LEVEL_FLAGS:
    default:
      g_assert_not_reached ();
    }
  return 1;
}

static const yajl_callbacks callbacks = {
  cb_null,
  cb_boolean,
  NULL,
  NULL,
  cb_number,
  cb_string,
  cb_start_map,
  cb_map_key,
  cb_end_map,
  cb_start_array,
  cb_end_array,
};

/* ---- the decoder ---------------------------------------------------------------------------- */

static ZhFeedDecoder *
decoder_new (void)
{
  ZhFeedDecoder *self = g_new0 (ZhFeedDecoder, 1);

  /* yajl's defaults are strict JSON: no comments, strings checked as UTF-8, one value and nothing
   * after it. */
  self->parser = yajl_alloc (&callbacks, NULL, self);
  self->scratch = g_string_sized_new (64);
  self->capture = g_string_new (NULL);
  return self;
}

/* _zh_feed_decoder_new: (transfer full): a decoder of the page of the feed asked for with @since
 * and @limit. */
ZhFeedDecoder *
_zh_feed_decoder_new (gint64 since,
                      guint  limit)
{
  ZhFeedDecoder *self = decoder_new ();

  self->row_depth = 4;
  self->since = since;
  self->last = since;
  self->limit = limit;
  self->page = g_new0 (ZhChangesPage, 1);
  self->page->since = since;
  self->page->changes = g_ptr_array_new_with_free_func (_zh_change_free);
  return self;
}

/* _zh_feed_decoder_free: free @self and whatever it decoded. */
void
_zh_feed_decoder_free (ZhFeedDecoder *self)
{
  if (self == NULL)
    return;
  yajl_free (self->parser);
  g_clear_error (&self->fatal);
  g_string_free (self->scratch, TRUE);
  g_string_free (self->capture, TRUE);
  g_clear_pointer (&self->capture_writer, zh_json_writer_free);
  g_clear_error (&self->page_error);
  g_clear_error (&self->change_error);
  change_clear (&self->change);
  row_clear (&self->row);
  g_clear_pointer (&self->page, zh_changes_page_free);
  if (self->row_result != NULL)
    zh_entity_free (self->row_info, self->row_result);
  g_clear_error (&self->row_result_error);
  g_free (self);
}

static gboolean
parse_status (ZhFeedDecoder  *self,
              yajl_status     status,
              const guint8   *data,
              gsize           length,
              GError        **error)
{
  if (status == yajl_status_ok)
    return TRUE;
  if (self->fatal == NULL)
    {
      unsigned char *message = yajl_get_error (self->parser, 0, data, length);

      fail_not_json (self, (const char *) message);
      yajl_free_error (self->parser, message);
    }
  g_propagate_error (error, g_error_copy (self->fatal));
  return FALSE;
}

/* _zh_feed_decoder_feed: decode the next @length bytes of the page; the text may be cut anywhere.
 * FALSE with ZH_CLIENT_ERROR_SERVER when it is not JSON. */
gboolean
_zh_feed_decoder_feed (ZhFeedDecoder  *self,
                       const guint8   *data,
                       gsize           length,
                       GError        **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (self->fatal != NULL)
    {
      g_propagate_error (error, g_error_copy (self->fatal));
      return FALSE;
    }
  return parse_status (self, yajl_parse (self->parser, data, length), data, length, error);
}

/* _zh_feed_decoder_finish: (transfer full): the page, once the whole text has been fed; NULL with
 * ZH_CLIENT_ERROR_SERVER (not JSON) or ZH_CLIENT_ERROR_PROTOCOL (the message says what breaks
 * the contract, and where). */
ZhChangesPage *
_zh_feed_decoder_finish (ZhFeedDecoder  *self,
                         GError        **error)
{
  g_return_val_if_fail (self != NULL && !self->row_mode, NULL);

  if (!parse_status (self, self->fatal != NULL ? yajl_status_error : yajl_complete_parse (self->parser),
                     NULL, 0, error))
    return NULL;
  if (!self->root_seen)
    {
      /* yajl takes text of nothing but white space as an empty stream. */
      fail_not_json (self, "no value");
      g_propagate_error (error, g_error_copy (self->fatal));
      return NULL;
    }
  g_assert (self->depth == 0);

  if (self->root_not_object)
    {
      g_set_error_literal (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_PROTOCOL, _("the reply is not an object"));
      return NULL;
    }
  if (self->page_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->page_error));
      return NULL;
    }
  if (!self->changes_ok)
    {
      g_set_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_PROTOCOL,
                   _("the member “%s” is missing or not an array"), "changes");
      return NULL;
    }
  if (!self->next_ok)
    {
      g_set_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_PROTOCOL,
                   _("the member “%s” is missing or not a whole number"), "next");
      return NULL;
    }
  if (!self->more_ok)
    {
      g_set_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_PROTOCOL,
                   _("the member “%s” is missing or not true or false"), "more");
      return NULL;
    }
  if (self->count > self->limit)
    {
      g_set_error (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_PROTOCOL,
                   _("the page holds more than the %u changes asked for"), self->limit);
      return NULL;
    }
  if (self->change_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->change_error));
      return NULL;
    }
  if (self->page->next != self->last)
    {
      g_set_error_literal (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_PROTOCOL,
                           _("the cursor “next” is not the rev of the page’s last change"));
      return NULL;
    }
  if (self->page->more && self->page->changes->len == 0)
    {
      g_set_error_literal (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_PROTOCOL,
                           _("an empty page says more changes wait"));
      return NULL;
    }
  return g_steal_pointer (&self->page);
}

/* _zh_feed_decode_row: (transfer full): decode the JSON text @json (@length bytes) as a row of
 * @info, with the checks and messages of zh_entity_from_string; NULL with a ZH_MODEL_ERROR. */
gpointer
_zh_feed_decode_row (const ZhEntityInfo  *info,
                     const char          *json,
                     gsize                length,
                     GError             **error)
{
  g_autoptr(ZhFeedDecoder) self = decoder_new ();
  yajl_status status;

  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (json != NULL, NULL);

  self->row_mode = TRUE;
  self->row_info = info;
  self->row_depth = 1;
  status = yajl_parse (self->parser, (const guchar *) json, length);
  if (status == yajl_status_ok)
    status = yajl_complete_parse (self->parser);
  if (status != yajl_status_ok)
    {
      if (self->fatal == NULL)
        {
          unsigned char *message = yajl_get_error (self->parser, 0, (const guchar *) json, length);

          fail_not_json (self, (const char *) message);
          yajl_free_error (self->parser, message);
        }
      g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_NOT_OBJECT,
                   _("The value of %s is not valid JSON: %s"), info->name, self->fatal->message);
      return NULL;
    }
  if (self->root_not_object || !self->root_seen)
    {
      g_set_error (error, ZH_MODEL_ERROR, ZH_MODEL_ERROR_NOT_OBJECT,
                   _("The value of %s is not a JSON object"), info->name);
      return NULL;
    }
  if (self->row_result_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->row_result_error));
      return NULL;
    }
  return g_steal_pointer (&self->row_result);
}

/* ---- the page's header ------------------------------------------------------------------------ */

/* The service writes a page's `next` and `more` before its `changes` (docs/api.md), so a client
 * can ask for the following page as soon as the first bytes arrive, while it still reads and
 * decodes this one. The peek reads the page's top-level members up to `changes` and nothing
 * more; the page's decoder checks everything later, this included. */
typedef struct
{
  int      depth;
  gboolean in_next;
  gboolean in_more;
  gboolean has_next;
  gboolean has_more;
  gboolean stop;
  gint64   next;
  gboolean more;
} Peek;

static int
peek_start_map (void *data)
{
  Peek *peek = data;

  if (peek->depth > 0)
    return 0;   /* a value of another member that nests: not a header this peek reads */
  peek->depth++;
  return 1;
}

static int
peek_map_key (void                *data,
              const unsigned char *key,
              size_t               length)
{
  Peek *peek = data;

#define KEY_IS(name) (length == strlen (name) && memcmp (key, name, length) == 0)
  peek->in_next = KEY_IS ("next");
  peek->in_more = KEY_IS ("more");
  if (KEY_IS ("changes"))
    {
      peek->stop = TRUE;
      return 0;
    }
#undef KEY_IS
  return 1;
}

static int
peek_number (void       *data,
             const char *text,
             size_t      length)
{
  Peek *peek = data;
  char buffer[32];
  char *end;

  if (!peek->in_next || length == 0 || length >= sizeof buffer)
    return 0;
  memcpy (buffer, text, length);
  buffer[length] = '\0';
  if (!g_ascii_isdigit (buffer[0]))
    return 0;
  peek->next = g_ascii_strtoll (buffer, &end, 10);
  if (*end != '\0' || peek->next < 0 || peek->next == G_MAXINT64)
    return 0;
  peek->has_next = TRUE;
  peek->in_next = FALSE;
  return 1;
}

static int
peek_boolean (void *data,
              int   value)
{
  Peek *peek = data;

  if (!peek->in_more)
    return 0;
  peek->more = value != 0;
  peek->has_more = TRUE;
  peek->in_more = FALSE;
  return 1;
}

static int
peek_other (void *data)
{
  return 0;
}

static int
peek_string (void                *data,
             const unsigned char *text,
             size_t               length)
{
  return 0;
}

static const yajl_callbacks peek_callbacks = {
  .yajl_null = peek_other,
  .yajl_boolean = peek_boolean,
  .yajl_number = peek_number,   /* set: yajl calls it for every number, integer and double unused */
  .yajl_string = peek_string,
  .yajl_start_map = peek_start_map,
  .yajl_map_key = peek_map_key,
  .yajl_end_map = peek_other,
  .yajl_start_array = peek_other,
  .yajl_end_array = peek_other,
};

/* _zh_feed_peek_header: whether the first @length bytes of a page (all of it or only its start)
 * give its `next` and `more` before its `changes`: ZH_FEED_HEADER_FOUND with @next and @more set,
 * ZH_FEED_HEADER_NEED_MORE when the bytes end before `changes`, ZH_FEED_HEADER_ABSENT otherwise
 * (`changes` first, or anything else: the page is then simply decoded whole). */
ZhFeedHeader
_zh_feed_peek_header (const guint8 *data,
                      gsize         length,
                      gint64       *next,
                      gboolean     *more)
{
  Peek peek = { 0 };
  yajl_handle parser = yajl_alloc (&peek_callbacks, NULL, &peek);
  yajl_status status = yajl_parse (parser, data, length);

  yajl_free (parser);
  if (peek.stop && peek.has_next && peek.has_more)
    {
      *next = peek.next;
      *more = peek.more;
      return ZH_FEED_HEADER_FOUND;
    }
  if (status == yajl_status_ok && !peek.stop)
    return ZH_FEED_HEADER_NEED_MORE;
  return ZH_FEED_HEADER_ABSENT;
}
