/* zh-fault-proxy.c: a fault-injecting HTTP proxy on 127.0.0.1 for the sync tests. */
#define G_LOG_DOMAIN "zh-test"

#include "config.h"

#include <string.h>

#include "zh-fault-proxy.h"

struct _ZhFaultProxy
{
  GSocketService *service;
  guint16         port;
  guint16         upstream_port;
  GMutex          lock;
  GRand          *rand;           /* under lock */
  double          rate;           /* under lock */
  guint           counts[ZH_FAULT_N_KINDS];
  gint            active;         /* connections being served */
};

static ZhFault
pick (ZhFaultProxy *self,
      guint        *share)
{
  ZhFault fault = ZH_FAULT_NONE;

  g_mutex_lock (&self->lock);
  if (g_rand_double (self->rand) < self->rate)
    fault = (ZhFault) g_rand_int_range (self->rand, ZH_FAULT_DELAY, ZH_FAULT_N_KINDS);
  *share = (guint) g_rand_int_range (self->rand, 1, 1000);
  self->counts[fault]++;
  g_mutex_unlock (&self->lock);
  return fault;
}

/* The request's head (lines up to the empty one) with "Connection: close", and its body. */
static gboolean
read_request (GDataInputStream  *in,
              GString           *head,
              GBytes           **body)
{
  gsize length = 0;

  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (in, NULL, NULL, NULL);

      if (line == NULL)
        return FALSE;
      g_strchomp (line);
      if (*line == '\0')
        break;
      if (g_ascii_strncasecmp (line, "Connection:", 11) == 0)
        continue;
      if (g_ascii_strncasecmp (line, "Content-Length:", 15) == 0)
        length = (gsize) g_ascii_strtoull (line + 15, NULL, 10);
      g_string_append_printf (head, "%s\r\n", line);
    }
  g_string_append (head, "Connection: close\r\n\r\n");
  if (length > 0)
    {
      g_autofree guint8 *data = g_malloc (length);
      gsize got = 0;

      if (!g_input_stream_read_all (G_INPUT_STREAM (in), data, length, &got, NULL, NULL) ||
          got != length)
        return FALSE;
      *body = g_bytes_new_take (g_steal_pointer (&data), length);
    }
  else
    *body = g_bytes_new (NULL, 0);
  return TRUE;
}

/* Send the request to the service and read its whole answer (it closes the connection). */
static GByteArray *
forward (ZhFaultProxy *self,
         GString      *head,
         GBytes       *body)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GByteArray) answer = g_byte_array_new ();
  GOutputStream *out;
  GInputStream *in;
  guint8 buffer[65536];
  gssize n;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", self->upstream_port, NULL, NULL);
  if (connection == NULL)
    return NULL;
  out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  if (!g_output_stream_write_all (out, head->str, head->len, NULL, NULL, NULL) ||
      !g_output_stream_write_all (out, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL,
                                  NULL, NULL))
    return NULL;
  while ((n = g_input_stream_read (in, buffer, sizeof buffer, NULL, NULL)) > 0)
    g_byte_array_append (answer, buffer, (guint) n);
  return n < 0 ? NULL : g_steal_pointer (&answer);
}

static void
send_page (GOutputStream *out,
           guint          status,
           const char    *reason,
           const char    *type,
           const char    *page)
{
  g_autofree char *text = g_strdup_printf ("HTTP/1.1 %u %s\r\nContent-Type: %s\r\n"
                                           "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                                           status, reason, type, strlen (page), page);

  g_output_stream_write_all (out, text, strlen (text), NULL, NULL, NULL);
}

static gboolean
run_cb (GThreadedSocketService *service,
        GSocketConnection      *connection,
        GObject                *source,
        gpointer                user_data)
{
  ZhFaultProxy *self = user_data;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GString) head = g_string_new (NULL);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GByteArray) answer = NULL;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  guint share = 0;
  ZhFault fault;

  g_atomic_int_inc (&self->active);
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (in), FALSE);
  if (!read_request (in, head, &body))
    goto done;

  fault = pick (self, &share);
  if (fault == ZH_FAULT_DROP_BEFORE)
    goto done;
  if (fault == ZH_FAULT_REFUSE_503)
    {
      send_page (out, 503, "Service Unavailable", "text/plain; charset=utf-8",
                 "The service is down for maintenance.\n");
      goto done;
    }
  answer = forward (self, head, body);
  if (answer == NULL)
    goto done;

  switch (fault)
    {
    case ZH_FAULT_ERROR_500:
      send_page (out, 500, "Internal Server Error", "text/html",
                 "<html><body><h1>500 Internal Server Error</h1></body></html>\n");
      break;
    case ZH_FAULT_DROP_MID:
      g_output_stream_write_all (out, answer->data, MAX (1u, (guint64) answer->len * share / 1000),
                                 NULL, NULL, NULL);
      break;
    case ZH_FAULT_CUT_BODY:
      {
        const guint8 *end = memmem (answer->data, answer->len, "\r\n\r\n", 4);
        gsize head_length = end != NULL ? (gsize) (end - answer->data) + 4 : answer->len;
        gsize body_length = answer->len - head_length;

        /* The whole head (its Content-Length promising more), then part of the body. */
        g_output_stream_write_all (out, answer->data,
                                   head_length + (body_length > 1 ? body_length * share / 1000 : 0),
                                   NULL, NULL, NULL);
      }
      break;
    case ZH_FAULT_DELAY:
      g_usleep (10000 + 290 * share);
      G_GNUC_FALLTHROUGH;
    case ZH_FAULT_NONE:
    default:
      g_output_stream_write_all (out, answer->data, answer->len, NULL, NULL, NULL);
      break;
    }

done:
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  g_atomic_int_dec_and_test (&self->active);
  return TRUE;
}

/* zh_fault_proxy_new: a proxy on 127.0.0.1 (a port of its own) to the service on 127.0.0.1:
 * @upstream_port, answering a share @fault_rate (0..1) of the requests with a fault drawn from
 * @seed. */
ZhFaultProxy *
zh_fault_proxy_new (guint16   upstream_port,
                    guint64   seed,
                    double    fault_rate,
                    GError  **error)
{
  ZhFaultProxy *self = g_new0 (ZhFaultProxy, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_mutex_init (&self->lock);
  self->rand = g_rand_new_with_seed_array ((const guint32 *) &seed, 2);
  self->rate = fault_rate;
  self->upstream_port = upstream_port;
  self->service = g_threaded_socket_service_new (16);
  g_signal_connect (self->service, "run", G_CALLBACK (run_cb), self);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound,
                                      error))
    {
      zh_fault_proxy_free (self);
      return NULL;
    }
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_service_start (self->service);
  return self;
}

/* zh_fault_proxy_get_port: the proxy's port on 127.0.0.1. */
guint16
zh_fault_proxy_get_port (ZhFaultProxy *self)
{
  return self->port;
}

/* zh_fault_proxy_get_count: how many requests got @fault so far. */
guint
zh_fault_proxy_get_count (ZhFaultProxy *self,
                          ZhFault       fault)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->counts[fault];
  g_mutex_unlock (&self->lock);
  return n;
}

/* zh_fault_proxy_set_rate: answer a share @fault_rate of the requests that follow with a fault. */
void
zh_fault_proxy_set_rate (ZhFaultProxy *self,
                         double        fault_rate)
{
  g_mutex_lock (&self->lock);
  self->rate = fault_rate;
  g_mutex_unlock (&self->lock);
}

/* zh_fault_proxy_free: stop listening, wait for the connections being served, free. */
void
zh_fault_proxy_free (ZhFaultProxy *self)
{
  if (self == NULL)
    return;
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  while (g_atomic_int_get (&self->active) > 0)
    g_usleep (1000);
  g_signal_handlers_disconnect_by_func (self->service, run_cb, self);
  g_clear_object (&self->service);
  g_rand_free (self->rand);
  g_mutex_clear (&self->lock);
  g_free (self);
}
