/* JNI glue between io.esme.EsmeClient (Java) and the esme C ABI (include/esme.h).
 *
 * Built by java/build.sh into libesme_jni.so together with libesme.a (one library; only the
 * JNI entry points are exported, java/native/exports.map), which the jar carries.
 *
 * Strings: every text crosses as standard UTF-8 octets (a byte[] in, a direct ByteBuffer out),
 * encoded and decoded on the Java side (String.getBytes / new String(bytes, UTF_8)). JNI's GetStringUTFChars / NewStringUTF
 * use "modified UTF-8" (NUL as C0 80, supplementary characters as two 3-byte surrogates),
 * which is not what the library reads or writes, so they are never used.
 *
 * Handles: the esme_client pointer is an id in the library's registry (never dereferenced),
 * carried as a Java long. A stale or freed id gives ESME_ERR_INVALID_HANDLE, never a crash.
 *
 * Errors: a failing call throws esme.EsmeException(code, esme_result_str(code),
 * esme_last_error()). The detail is thread-local in the library and read on the same thread
 * right after the failing call.
 *
 * Events: nPoll takes a batch of events per call (one blocking esme_client_poll, then
 * non-blocking ones) and writes them as numbers into a long[] and their strings into the
 * client's direct ByteBuffer: no Java object is made on the native side, no JNI upcall per
 * event; the Java side builds only what its API hands out (the Outcome, the Event).
 *
 * User data: each submit passes the Java side's key for its pending future and attachment
 * (esme_submit_options.user_data); the library hands it back with the outcome and the
 * message's receipts, and says when it is released (esme_event_releases_user_data).
 *
 * References: classes and method ids are cached as global refs in JNI_OnLoad (dropped in
 * JNI_OnUnload); every local ref made per call is deleted before returning, so a tight loop
 * of calls made from a long native frame would not grow either. */
#include <jni.h>

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esme.h"

static jclass cls_exception;  /* io.esme.EsmeException */
static jclass cls_log;        /* io.esme.LogBridge */
static jclass cls_npe;        /* java.lang.NullPointerException */
static jclass cls_oom;        /* java.lang.OutOfMemoryError */
static jclass cls_bytes;      /* byte[] */
static jmethodID ctor_exception;
static jmethodID log_method;
static JavaVM *the_vm;
static pthread_key_t attached_key; /* set on the library threads this glue attached */


static jclass global_class(JNIEnv *env, const char *name) {
    jclass local = (*env)->FindClass(env, name);
    jclass global;
    if (local == NULL) {
        return NULL;
    }
    global = (jclass)(*env)->NewGlobalRef(env, local);
    (*env)->DeleteLocalRef(env, local);
    return global;
}

/* pthread key destructor: a library thread this glue attached to the JVM detaches as it ends
 * (a thread that ends attached would leak its java.lang.Thread and hold up JVM exit). */
static void detach_thread(void *vm) {
    if (vm != NULL) {
        (*(JavaVM *)vm)->DetachCurrentThread((JavaVM *)vm);
    }
}

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
    JNIEnv *env;
    (void)reserved;
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK) {
        return JNI_ERR;
    }
    if ((cls_exception = global_class(env, "io/esme/EsmeException")) == NULL ||
        (cls_log = global_class(env, "io/esme/LogBridge")) == NULL ||
        (cls_npe = global_class(env, "java/lang/NullPointerException")) == NULL ||
        (cls_oom = global_class(env, "java/lang/OutOfMemoryError")) == NULL ||
        (cls_bytes = global_class(env, "[B")) == NULL) {
        return JNI_ERR;
    }
    ctor_exception = (*env)->GetMethodID(env, cls_exception, "<init>", "(I[B)V");
    log_method = (*env)->GetStaticMethodID(env, cls_log, "log", "(I[B[B[B)V");
    if (ctor_exception == NULL || log_method == NULL) {
        return JNI_ERR;
    }
    if (pthread_key_create(&attached_key, detach_thread) != 0) {
        return JNI_ERR;
    }
    the_vm = vm;
    return JNI_VERSION_1_8;
}

JNIEXPORT void JNICALL JNI_OnUnload(JavaVM *vm, void *reserved) {
    JNIEnv *env;
    (void)reserved;
    esme_set_log_callback(NULL, NULL, ESME_LOG_ERROR); /* waits for calls in progress */
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK) {
        return;
    }
    (*env)->DeleteGlobalRef(env, cls_log);
    (*env)->DeleteGlobalRef(env, cls_exception);
    (*env)->DeleteGlobalRef(env, cls_npe);
    (*env)->DeleteGlobalRef(env, cls_oom);
    (*env)->DeleteGlobalRef(env, cls_bytes);
}

/* ---------------------------------------------------------------------------------------- */
/* Helpers */

/* The handle id as the library's opaque pointer type (a jlong always fits: the ids the
 * library hands out are pointer-sized integers). */
static const esme_client *client_of(jlong h) {
    return (const esme_client *)(uintptr_t)h;
}

/* A new byte[] with `len` octets of `p` (NULL p: a null array). NULL with a pending
 * OutOfMemoryError when the JVM cannot allocate it. */
static jbyteArray new_bytes(JNIEnv *env, const void *p, size_t len) {
    jbyteArray a;
    if (p == NULL) {
        return NULL;
    }
    if (len > (size_t)INT32_MAX) {
        (*env)->ThrowNew(env, cls_oom, "esme: a string from the library is over 2 GiB");
        return NULL;
    }
    a = (*env)->NewByteArray(env, (jsize)len);
    if (a != NULL && len > 0) {
        (*env)->SetByteArrayRegion(env, a, 0, (jsize)len, (const jbyte *)p);
    }
    return a;
}

/* Throws io.esme.EsmeException(code, detail). */
static void throw_text(JNIEnv *env, esme_result code, const char *detail) {
    jbyteArray jdetail;
    jthrowable ex;
    if ((*env)->ExceptionCheck(env)) {
        return; /* keep the first */
    }
    jdetail = new_bytes(env, detail, strlen(detail));
    if (jdetail == NULL) {
        return;
    }
    ex = (jthrowable)(*env)->NewObject(env, cls_exception, ctor_exception, (jint)code, jdetail);
    if (ex != NULL) {
        (*env)->Throw(env, ex);
        (*env)->DeleteLocalRef(env, ex);
    }
    (*env)->DeleteLocalRef(env, jdetail);
}

/* Throws the failure `code` of the esme call just made on this thread, with the library's
 * detailed text (esme_last_error, thread-local: no other esme call ran since). */
static void throw_esme(JNIEnv *env, esme_result code) {
    char small[512];
    char *buf = small;
    size_t needed = 0;
    esme_result r = esme_last_error(small, sizeof small, &needed);
    if (r == ESME_ERR_BUFFER_TOO_SMALL && needed > sizeof small) {
        buf = malloc(needed);
        if (buf == NULL || esme_last_error(buf, needed, &needed) != ESME_OK) {
            free(buf);
            buf = small;
            small[0] = '\0';
        }
    } else if (r != ESME_OK) {
        small[0] = '\0';
    }
    if (buf[0] == '\0') {
        /* Should not happen (every failing call sets the text); say so rather than be mute. */
        throw_text(env, code, "(the library gave no detail for this failure)");
    } else {
        throw_text(env, code, buf);
    }
    if (buf != small) {
        free(buf);
    }
}

/* A NUL-terminated malloc'd copy of a byte[] (free with free_cstr). NULL with a pending
 * exception when `a` is null (NullPointerException naming `what`) or memory is short. */
static char *cstr_of(JNIEnv *env, jbyteArray a, const char *what, size_t *len_out) {
    jsize n;
    char *p;
    if (a == NULL) {
        char msg[128];
        strcpy(msg, "esme: ");
        strncat(msg, what, sizeof msg - 20);
        strcat(msg, " is null");
        (*env)->ThrowNew(env, cls_npe, msg);
        return NULL;
    }
    n = (*env)->GetArrayLength(env, a);
    p = malloc((size_t)n + 1);
    if (p == NULL) {
        (*env)->ThrowNew(env, cls_oom, "esme: out of native memory");
        return NULL;
    }
    (*env)->GetByteArrayRegion(env, a, 0, n, (jbyte *)p);
    p[n] = '\0';
    if (len_out != NULL) {
        *len_out = (size_t)n;
    }
    return p;
}

/* Frees a cstr_of copy, wiping it first (it may hold a password). */
static void free_cstr(char *p) {
    if (p != NULL) {
        volatile char *v = p;
        while (*v != '\0') {
            *v++ = '\0';
        }
        free(p);
    }
}

/* The octets of a byte[] as a NUL-terminated string: in `stack` (cap octets) when it fits,
 * else malloc'd (free with arg_free). NULL with a pending exception when `a` is null and
 * `what` is not NULL (NullPointerException naming it), or memory is short; NULL without
 * one when `a` is null and `what` is NULL (an optional argument). */
static char *arg_of(JNIEnv *env, jbyteArray a, const char *what, char *stack, size_t cap,
                    size_t *len_out) {
    jsize n;
    char *p;
    if (a == NULL) {
        if (what != NULL) {
            char msg[128];
            strcpy(msg, "esme: ");
            strncat(msg, what, sizeof msg - 20);
            strcat(msg, " is null");
            (*env)->ThrowNew(env, cls_npe, msg);
        }
        return NULL;
    }
    n = (*env)->GetArrayLength(env, a);
    if ((size_t)n + 1 <= cap) {
        p = stack;
    } else if ((p = malloc((size_t)n + 1)) == NULL) {
        (*env)->ThrowNew(env, cls_oom, "esme: out of native memory");
        return NULL;
    }
    (*env)->GetByteArrayRegion(env, a, 0, n, (jbyte *)p);
    p[n] = '\0';
    if (len_out != NULL) {
        *len_out = (size_t)n;
    }
    return p;
}

static void arg_free(char *p, const char *stack) {
    if (p != stack) {
        free(p);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Natives of esme.Esme */

/* A new esme_config from a channel file (path, or null for none) and the options on top
 * (keys[i] = values[i], applied in order); NULL with a pending exception when one is bad.
 * Free with esme_config_free. Shared by nConnect and nReload: a reload takes its
 * configuration in the same form as a connect. */
static esme_config *config_of(JNIEnv *env, jbyteArray path, jobjectArray keys,
                              jobjectArray values) {
    esme_config *cfg = NULL;
    esme_result r;
    jsize i, n;
    if (keys == NULL || values == NULL) {
        (*env)->ThrowNew(env, cls_npe, "esme: options is null");
        return NULL;
    }
    n = (*env)->GetArrayLength(env, keys);
    if ((*env)->GetArrayLength(env, values) != n) {
        throw_text(env, ESME_ERR_USAGE, "esme: keys and values differ in length");
        return NULL;
    }
    r = esme_config_new(&cfg);
    if (r != ESME_OK) {
        throw_esme(env, r);
        return NULL;
    }
    if (path != NULL) {
        char *p = cstr_of(env, path, "path", NULL);
        if (p == NULL) {
            goto fail;
        }
        r = esme_config_load_file(cfg, p);
        free_cstr(p);
        if (r != ESME_OK) {
            throw_esme(env, r);
            goto fail;
        }
    }
    for (i = 0; i < n; i++) {
        jbyteArray jk = (jbyteArray)(*env)->GetObjectArrayElement(env, keys, i);
        jbyteArray jv = (jbyteArray)(*env)->GetObjectArrayElement(env, values, i);
        char *k = cstr_of(env, jk, "an option name", NULL);
        char *v = k == NULL ? NULL : cstr_of(env, jv, "an option value", NULL);
        (*env)->DeleteLocalRef(env, jk);
        (*env)->DeleteLocalRef(env, jv);
        if (v == NULL) {
            free_cstr(k);
            goto fail;
        }
        r = esme_config_set(cfg, k, v);
        free_cstr(k);
        free_cstr(v);
        if (r != ESME_OK) {
            throw_esme(env, r);
            goto fail;
        }
    }
    return cfg;
fail:
    esme_config_free(cfg);
    return NULL;
}

JNIEXPORT jlong JNICALL Java_io_esme_EsmeClient_nConnect(JNIEnv *env, jclass cls, jbyteArray path,
                                                jobjectArray keys, jobjectArray values) {
    esme_client *client = NULL;
    esme_config *cfg;
    esme_result r;
    (void)cls;
    if ((cfg = config_of(env, path, keys, values)) == NULL) {
        return 0;
    }
    r = esme_client_connect(cfg, &client);
    if (r != ESME_OK) {
        throw_esme(env, r);
        client = NULL;
    }
    esme_config_free(cfg);
    return (jlong)(uintptr_t)client;
}

/* esme_client_reload with a configuration made as nConnect's: nothing changes when it
 * fails (a bad option, a file that does not load, a new bind that cannot bind). Blocks while
 * the new binds connect. */
JNIEXPORT void JNICALL Java_io_esme_EsmeClient_nReload(JNIEnv *env, jclass cls, jlong h,
                                                       jbyteArray path, jobjectArray keys,
                                                       jobjectArray values) {
    esme_config *cfg;
    esme_result r;
    (void)cls;
    if ((cfg = config_of(env, path, keys, values)) == NULL) {
        return;
    }
    r = esme_client_reload(client_of(h), cfg);
    if (r != ESME_OK) {
        throw_esme(env, r);
    }
    esme_config_free(cfg);
}

JNIEXPORT jlong JNICALL Java_io_esme_EsmeClient_nSubmitAsync(JNIEnv *env, jclass cls, jlong h,
                                                    jbyteArray to, jbyteArray from,
                                                    jbyteArray text, jint flags,
                                                    jlong user_data) {
    /* Addresses are at most 21 octets in SMPP and a part's text 140: the usual message is
     * copied to the stack, not malloc'd. */
    char to_s[64], from_s[64], body_s[512];
    char *to_p, *from_p = NULL, *body_p = NULL;
    esme_message msg;
    esme_submit_options opt;
    uint64_t ticket = 0;
    esme_result r;
    (void)cls;
    if ((to_p = arg_of(env, to, "to", to_s, sizeof to_s, NULL)) == NULL) {
        return 0;
    }
    msg.from = NULL;
    if (from != NULL && (from_p = arg_of(env, from, "from", from_s, sizeof from_s, NULL)) == NULL) {
        goto out;
    }
    if ((body_p = arg_of(env, text, "text", body_s, sizeof body_s, &msg.body_len)) == NULL) {
        goto out;
    }
    msg.to = to_p;
    msg.from = from_p;
    msg.body = (const uint8_t *)body_p;
    msg.flags = (uint32_t)flags;
    memset(&opt, 0, sizeof opt);
    opt.size = sizeof opt;
    opt.user_data = (uint64_t)user_data;
    r = esme_client_submit_async_with(client_of(h), &msg, &opt, &ticket);
    if (r != ESME_OK) {
        throw_esme(env, r);
        ticket = 0;
    }
out:
    arg_free(to_p, to_s);
    if (from_p != NULL) arg_free(from_p, from_s);
    if (body_p != NULL) arg_free(body_p, body_s);
    return (jlong)ticket;
}

static jbyteArray str_bytes(JNIEnv *env, esme_str s) {
    return new_bytes(env, s.ptr, s.len);
}

/* The batch layout, shared with EsmeClient.Core (EVENT_LONGS longs per event):
 *   [0] kind | outcome_kind << 8 | connection << 16 | receipt_state << 24 | flags << 32
 *   [1] user data   [2] ticket   [3] command_status   [4] receipt err (-1 none)
 *   [5] offset of its strings   [6] their length   [7] message id count
 * Strings, each as an int32 length in native order (-1: none) and its octets: text, from, to,
 * body, receipt id, then the message ids. They are in the ByteBuffer, or, for an event too
 * big for the room left (FLAG_OVERFLOW), in a new byte[] in overflow[0], which ends the
 * batch. */
#define EVENT_LONGS 8
#define FLAG_RELEASES 1
#define FLAG_MATCHED 2
#define FLAG_FINAL 4
#define FLAG_OVERFLOW 8
#define ID_CACHE 16 /* message ids read once (a message of more parts reads the rest twice) */

typedef struct {
    uint8_t *p;
    size_t used, cap;
} sink;

static void put_field(sink *k, const void *p, size_t len, int present) {
    int32_t n = present ? (int32_t)len : -1;
    memcpy(k->p + k->used, &n, sizeof n);
    k->used += sizeof n;
    if (present && len > 0) {
        memcpy(k->p + k->used, p, len);
        k->used += len;
    }
}

/* Writes one event; 0 with a pending exception when memory is short. `*ended` is set when
 * the event went to overflow[0] (the batch must end). */
static int put_event(JNIEnv *env, esme_event *ev, jlong *m, sink *k, jobjectArray overflow,
                     int *ended) {
    esme_event_kind kind = esme_event_get_kind(ev);
    uint64_t flags = 0, okind = 0, conn = 0, rstate = 0;
    uint32_t ids = 0, i;
    esme_str text = {NULL, 0}, from = {NULL, 0}, to = {NULL, 0};
    esme_bytes body = {NULL, 0};
    esme_receipt rc;
    esme_str id_v[ID_CACHE];
    size_t need;
    sink big, *out = k;
    memset(&rc, 0, sizeof rc);
    rc.err = -1;
    m[1] = 0;
    m[2] = 0;
    m[3] = 0;
    switch (kind) {
    case ESME_EVENT_OUTCOME:
        /* Each accessor is a registry look-up: only those that can say something. */
        okind = esme_event_outcome_kind(ev);
        ids = esme_event_message_id_count(ev); /* also a long message's accepted parts */
        if (okind != ESME_ACCEPTED) {          /* accepted: no why, status 0 */
            m[3] = (jlong)esme_event_command_status(ev);
            text = esme_event_text(ev);
        }
        break;
    case ESME_EVENT_RECEIPT:
        if (esme_event_receipt(ev, &rc) != ESME_OK) {
            memset(&rc, 0, sizeof rc); /* unreadable: no id; the raw text still comes */
            rc.err = -1;
        }
        rstate = rc.state;
        if (rc.is_final) flags |= FLAG_FINAL;
        if (esme_event_receipt_matched(ev)) flags |= FLAG_MATCHED;
        text = esme_event_text(ev);
        from = esme_event_from(ev);
        to = esme_event_to(ev);
        break;
    case ESME_EVENT_CONNECTION:
        conn = esme_event_connection(ev);
        text = esme_event_text(ev);
        break;
    case ESME_EVENT_WARNING:
        text = esme_event_text(ev);
        break;
    case ESME_EVENT_RELEASED:
        ids = esme_event_message_id_count(ev);
        text = esme_event_text(ev);
        break;
    default: /* MESSAGE, INCOMPLETE, ALERT, and kinds a newer library adds */
        text = esme_event_text(ev);
        from = esme_event_from(ev);
        to = esme_event_to(ev);
        body = esme_event_body(ev);
        break;
    }
    if (kind != ESME_EVENT_MESSAGE && kind != ESME_EVENT_INCOMPLETE && kind != ESME_EVENT_ALERT &&
        kind != ESME_EVENT_CONNECTION && kind != ESME_EVENT_WARNING) {
        /* outcome, receipt, released, unknown: may carry user data */
        m[1] = (jlong)esme_event_user_data(ev);
        m[2] = (jlong)esme_event_ticket(ev);
        if (esme_event_releases_user_data(ev)) flags |= FLAG_RELEASES;
    }
    need = 5 * 4 + text.len + from.len + to.len + body.len + rc.id.len;
    for (i = 0; i < ids; i++) {
        id_v[i < ID_CACHE ? i : 0] = esme_event_message_id(ev, i);
        need += 4 + id_v[i < ID_CACHE ? i : 0].len;
    }
    if (need > k->cap - k->used) {
        big.p = malloc(need);
        big.used = 0;
        big.cap = need;
        if (big.p == NULL || need > (size_t)INT32_MAX) {
            free(big.p);
            (*env)->ThrowNew(env, cls_oom, "esme: an event too big for native memory");
            return 0;
        }
        out = &big;
        flags |= FLAG_OVERFLOW;
    }
    m[5] = (jlong)out->used;
    put_field(out, text.ptr, text.len, text.ptr != NULL);
    put_field(out, from.ptr, from.len, from.ptr != NULL);
    put_field(out, to.ptr, to.len, to.ptr != NULL);
    put_field(out, body.ptr, body.len, body.ptr != NULL || kind == ESME_EVENT_MESSAGE ||
                                           kind == ESME_EVENT_INCOMPLETE);
    put_field(out, rc.id.ptr, rc.id.len, rc.id.ptr != NULL);
    for (i = 0; i < ids; i++) {
        esme_str id = i < ID_CACHE ? id_v[i] : esme_event_message_id(ev, i);
        put_field(out, id.ptr, id.len, 1);
    }
    m[6] = (jlong)(out->used - (size_t)m[5]);
    m[7] = (jlong)ids;
    m[4] = (jlong)rc.err;
    m[0] = (jlong)((uint64_t)kind | okind << 8 | conn << 16 | rstate << 24 | flags << 32);
    if (out == &big) {
        jbyteArray a = new_bytes(env, big.p, big.used);
        free(big.p);
        if (a == NULL) {
            return 0;
        }
        (*env)->SetObjectArrayElement(env, overflow, 0, a);
        (*env)->DeleteLocalRef(env, a);
        *ended = 1;
    }
    return 1;
}

/* Waits up to timeout_ms for an event, then takes those already waiting, up to as many as
 * `meta` holds: the number taken (0: none came). */
JNIEXPORT jint JNICALL Java_io_esme_EsmeClient_nPoll(JNIEnv *env, jclass cls, jlong h,
                                                     jint timeout_ms, jlongArray meta,
                                                     jobject buffer, jobjectArray overflow) {
    jlong m[64 * EVENT_LONGS];
    jsize max = (*env)->GetArrayLength(env, meta) / EVENT_LONGS;
    sink k;
    int n = 0, ended = 0;
    esme_result r;
    esme_event *ev = NULL;
    (void)cls;
    k.p = (*env)->GetDirectBufferAddress(env, buffer);
    k.cap = (size_t)(*env)->GetDirectBufferCapacity(env, buffer);
    k.used = 0;
    if (k.p == NULL || max < 1) {
        throw_text(env, ESME_ERR_USAGE, "esme: nPoll needs a direct buffer and room for an event");
        return 0;
    }
    if (max > 64) {
        max = 64;
    }
    r = esme_client_poll(client_of(h), timeout_ms < 0 ? 0u : (uint32_t)timeout_ms, &ev);
    while (r == ESME_OK) {
        int ok = put_event(env, ev, m + n * EVENT_LONGS, &k, overflow, &ended);
        esme_event_free(ev);
        if (!ok) {
            return 0; /* out of memory, pending; the event is lost only then */
        }
        n++;
        if (ended || n == max) {
            break;
        }
        r = esme_client_poll(client_of(h), 0, &ev);
    }
    if (n == 0 && r != ESME_EMPTY && r != ESME_OK) {
        throw_esme(env, r);
        return 0;
    }
    if (n > 0) {
        (*env)->SetLongArrayRegion(env, meta, 0, n * EVENT_LONGS, m);
    }
    return n;
}

/* A double's bits as a jlong (Double.longBitsToDouble on the Java side). */
static jlong double_bits(double d) {
    jlong v;
    memcpy(&v, &d, sizeof v);
    return v;
}

/* The numbers of esme_client_metrics, then those of each bind (esme_client_bind_metrics,
 * index 0 .. binds_configured - 1), as one long[] laid out as io.esme.Stats reads it:
 * STATS_LONGS for the channel (the last: how many binds follow), then BIND_LONGS per bind.
 * The binds' hosts (UTF-8) go into hosts[0] as a byte[][], one per bind. A bind that is
 * gone by the time it is read (a reload made fewer) ends the list there. */
#define STATS_LONGS 33
#define BIND_LONGS 16
#define MAX_BINDS 1024

JNIEXPORT jlongArray JNICALL Java_io_esme_EsmeClient_nStats(JNIEnv *env, jclass cls, jlong h,
                                                            jobjectArray hosts) {
    esme_metrics s;
    esme_bind_metrics b;
    jlong *v;
    jlongArray a = NULL;
    jobjectArray names = NULL;
    uint32_t i, nb;
    size_t k = 0;
    esme_result r;
    (void)cls;
    memset(&s, 0, sizeof s);
    s.struct_size = sizeof s;
    r = esme_client_metrics(client_of(h), &s);
    if (r != ESME_OK) {
        throw_esme(env, r);
        return NULL;
    }
    nb = s.binds_configured < MAX_BINDS ? s.binds_configured : MAX_BINDS;
    v = malloc((STATS_LONGS + (size_t)nb * BIND_LONGS) * sizeof *v);
    if (v == NULL) {
        (*env)->ThrowNew(env, cls_oom, "esme: out of native memory");
        return NULL;
    }
    v[k++] = (jlong)s.binds_configured;
    v[k++] = (jlong)s.binds_up;
    v[k++] = (jlong)s.window_size;
    v[k++] = (jlong)s.client_cert_days_left;
    v[k++] = (jlong)s.smsc_cert_days_left;
    v[k++] = double_bits(s.submits_per_second);
    v[k++] = (jlong)s.submitted;
    v[k++] = (jlong)s.accepted;
    v[k++] = (jlong)s.rejected;
    v[k++] = (jlong)s.unknown;
    v[k++] = (jlong)s.not_sent;
    v[k++] = (jlong)s.throttled;
    v[k++] = (jlong)s.retried;
    v[k++] = (jlong)s.parts_sent;
    v[k++] = (jlong)s.in_flight;
    v[k++] = (jlong)s.reconnect_attempts;
    v[k++] = (jlong)s.reconnects;
    v[k++] = (jlong)s.bytes_in;
    v[k++] = (jlong)s.bytes_out;
    v[k++] = (jlong)s.messages_received;
    v[k++] = (jlong)s.receipts_received;
    v[k++] = (jlong)s.receipts_matched;
    v[k++] = (jlong)s.receipts_unmatched;
    v[k++] = (jlong)s.inbound_refused;
    v[k++] = (jlong)s.latency_p50_us;
    v[k++] = (jlong)s.latency_p99_us;
    v[k++] = (jlong)s.latency_count;
    v[k++] = (jlong)s.latency_sum_us;
    v[k++] = (jlong)s.receipt_lag_p50_us;
    v[k++] = (jlong)s.receipt_lag_p99_us;
    v[k++] = (jlong)s.receipt_lag_count;
    v[k++] = (jlong)s.receipt_lag_sum_us;
    k++; /* [32]: the binds listed, below */
    names = (*env)->NewObjectArray(env, (jsize)nb, cls_bytes, NULL);
    if (names == NULL) {
        goto out;
    }
    for (i = 0; i < nb; i++) {
        jbyteArray host;
        memset(&b, 0, sizeof b);
        b.struct_size = sizeof b;
        r = esme_client_bind_metrics(client_of(h), i, &b);
        if (r == ESME_ERR_INVALID_ARG) {
            break; /* fewer binds now than a moment ago */
        }
        if (r != ESME_OK) {
            throw_esme(env, r);
            goto out;
        }
        b.host[ESME_HOST_LEN - 1] = '\0';
        v[k++] = (jlong)b.index;
        v[k++] = (jlong)b.up;
        v[k++] = (jlong)b.window_size;
        v[k++] = (jlong)b.window_in_use;
        v[k++] = (jlong)b.smsc_cert_days_left;
        v[k++] = double_bits(b.submits_per_second);
        v[k++] = (jlong)b.parts_sent;
        v[k++] = (jlong)b.throttled;
        v[k++] = (jlong)b.reconnect_attempts;
        v[k++] = (jlong)b.reconnects;
        v[k++] = (jlong)b.bytes_in;
        v[k++] = (jlong)b.bytes_out;
        v[k++] = (jlong)b.latency_p50_us;
        v[k++] = (jlong)b.latency_p99_us;
        v[k++] = (jlong)b.latency_count;
        v[k++] = (jlong)b.latency_sum_us;
        host = new_bytes(env, b.host, strlen(b.host));
        if (host == NULL) {
            goto out;
        }
        (*env)->SetObjectArrayElement(env, names, (jsize)i, host);
        (*env)->DeleteLocalRef(env, host);
    }
    v[STATS_LONGS - 1] = (jlong)i;
    a = (*env)->NewLongArray(env, (jsize)k);
    if (a != NULL) {
        (*env)->SetLongArrayRegion(env, a, 0, (jsize)k, v);
        (*env)->SetObjectArrayElement(env, hosts, 0, names);
    }
out:
    free(v);
    if (names != NULL) {
        (*env)->DeleteLocalRef(env, names);
    }
    return a;
}

/* The Prometheus text of one client (n == -1, handle h) or of several (hs), read with a
 * buffer that grows to what the library says it needs (the text may grow between two
 * calls: some room is added, and it is tried again). */
static jbyteArray prometheus(JNIEnv *env, jlong h, const esme_client *const *many, size_t n,
                             int one) {
    char small[16384];
    char *buf = small;
    size_t len = sizeof small, needed = 0;
    jbyteArray out = NULL;
    int tries;
    esme_result r = ESME_ERR_BUFFER_TOO_SMALL;
    for (tries = 0; tries < 8; tries++) {
        r = one ? esme_client_prometheus(client_of(h), buf, len, &needed)
                : esme_clients_prometheus(many, n, buf, len, &needed);
        if (r != ESME_ERR_BUFFER_TOO_SMALL) {
            break;
        }
        if (buf != small) {
            free(buf);
        }
        len = needed + needed / 4 + 4096;
        if ((buf = malloc(len)) == NULL) {
            (*env)->ThrowNew(env, cls_oom, "esme: out of native memory");
            return NULL;
        }
    }
    if (r == ESME_OK) {
        out = new_bytes(env, buf, strlen(buf));
    } else {
        throw_esme(env, r);
    }
    if (buf != small) {
        free(buf);
    }
    return out;
}

JNIEXPORT jbyteArray JNICALL Java_io_esme_EsmeClient_nPrometheus(JNIEnv *env, jclass cls,
                                                                 jlong h) {
    (void)cls;
    return prometheus(env, h, NULL, 0, 1);
}

JNIEXPORT jbyteArray JNICALL Java_io_esme_EsmeClient_nPrometheusAll(JNIEnv *env, jclass cls,
                                                                    jlongArray hs) {
    jsize n, i;
    jlong *ids;
    const esme_client **many;
    jbyteArray out;
    (void)cls;
    n = (*env)->GetArrayLength(env, hs);
    ids = malloc(((size_t)n + 1) * sizeof *ids);
    many = malloc(((size_t)n + 1) * sizeof *many);
    if (ids == NULL || many == NULL) {
        free(ids);
        free(many);
        (*env)->ThrowNew(env, cls_oom, "esme: out of native memory");
        return NULL;
    }
    (*env)->GetLongArrayRegion(env, hs, 0, n, ids);
    for (i = 0; i < n; i++) {
        many[i] = client_of(ids[i]);
    }
    out = prometheus(env, 0, many, (size_t)n, 0);
    free(ids);
    free(many);
    return out;
}

JNIEXPORT jint JNICALL Java_io_esme_EsmeClient_nState(JNIEnv *env, jclass cls, jlong h) {
    esme_connection_state st = ESME_STATE_NONE;
    esme_result r = esme_client_state(client_of(h), &st);
    (void)cls;
    if (r != ESME_OK) {
        throw_esme(env, r);
        return 0;
    }
    return (jint)st;
}

JNIEXPORT void JNICALL Java_io_esme_EsmeClient_nClose(JNIEnv *env, jclass cls, jlong h) {
    esme_result r;
    (void)cls;
    r = esme_client_close(client_of(h)); /* blocks up to the close timeout (+2 s) */
    if (r != ESME_OK) {
        throw_esme(env, r);
    }
}

JNIEXPORT void JNICALL Java_io_esme_EsmeClient_nFree(JNIEnv *env, jclass cls, jlong h) {
    (void)env;
    (void)cls;
    esme_client_free((esme_client *)(uintptr_t)h);
}

JNIEXPORT jboolean JNICALL Java_io_esme_EsmeClient_nReceiptIdsMatch(JNIEnv *env, jclass cls,
                                                           jbyteArray a, jbyteArray b) {
    char *sa, *sb;
    jboolean m = JNI_FALSE;
    (void)cls;
    if ((sa = cstr_of(env, a, "submitId", NULL)) == NULL) {
        return JNI_FALSE;
    }
    if ((sb = cstr_of(env, b, "receiptId", NULL)) != NULL) {
        m = esme_receipt_ids_match(sa, sb) ? JNI_TRUE : JNI_FALSE;
        free(sb);
    }
    free(sa);
    return m;
}

JNIEXPORT jbyteArray JNICALL Java_io_esme_EsmeClient_nVersion(JNIEnv *env, jclass cls) {
    const char *v = esme_version();
    (void)cls;
    return new_bytes(env, v, strlen(v));
}

/* ---------------------------------------------------------------------------------------- */
/* Logs: the library's records into io.esme.LogBridge.log (System.Logger). */

/* Called by the library on its own threads (or on a Java thread inside an esme call): the
 * thread is attached to the JVM as a daemon once and stays attached until it ends. A record
 * arriving while a Java exception is pending on this thread is dropped (JNI forbids calls
 * then), as is one the JVM cannot allocate. */
static void log_to_java(void *userdata, const esme_log_record *rec) {
    JNIEnv *env = NULL;
    jbyteArray target = NULL, message = NULL, channel = NULL;
    jint got;
    (void)userdata;
    if (the_vm == NULL) {
        return;
    }
    got = (*the_vm)->GetEnv(the_vm, (void **)&env, JNI_VERSION_1_8);
    if (got == JNI_EDETACHED) {
        JavaVMAttachArgs args;
        args.version = JNI_VERSION_1_8;
        args.name = (char *)"esme-io";
        args.group = NULL;
        if ((*the_vm)->AttachCurrentThreadAsDaemon(the_vm, (void **)&env, &args) != JNI_OK) {
            return;
        }
        pthread_setspecific(attached_key, the_vm);
    } else if (got != JNI_OK) {
        return;
    }
    if ((*env)->ExceptionCheck(env)) {
        return;
    }
    if ((target = str_bytes(env, rec->target)) == NULL && (*env)->ExceptionCheck(env)) {
        goto out;
    }
    if ((message = str_bytes(env, rec->message)) == NULL && (*env)->ExceptionCheck(env)) {
        goto out;
    }
    if ((channel = str_bytes(env, rec->channel)) == NULL && (*env)->ExceptionCheck(env)) {
        goto out;
    }
    (*env)->CallStaticVoidMethod(env, cls_log, log_method, (jint)rec->level, target,
                                 message == NULL ? target : message, channel);
out:
    if ((*env)->ExceptionCheck(env)) {
        (*env)->ExceptionClear(env); /* logging must never break the library's thread */
    }
    if (target != NULL) (*env)->DeleteLocalRef(env, target);
    if (message != NULL) (*env)->DeleteLocalRef(env, message);
    if (channel != NULL) (*env)->DeleteLocalRef(env, channel);
}

/* Installs the forwarding at min_level (an esme_log_level), or removes it with 0. */
JNIEXPORT void JNICALL Java_io_esme_EsmeClient_nSetLog(JNIEnv *env, jclass cls, jint min_level) {
    esme_result r;
    (void)cls;
    r = min_level <= 0 ? esme_set_log_callback(NULL, NULL, ESME_LOG_ERROR)
                       : esme_set_log_callback(log_to_java, NULL, (uint32_t)min_level);
    if (r != ESME_OK) {
        throw_esme(env, r);
    }
}
