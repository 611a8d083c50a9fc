using System.Buffers;
using System.Buffers.Text;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Kvasir.Server.Gateway;

/// <summary>
/// Protobuf messages as etcd's JSON gateway (grpc-gateway v1 with golang/protobuf's jsonpb)
/// writes and reads them: compact JSON, proto field names (<c>create_revision</c>) in declaration
/// order, 64-bit integers as strings, bytes as standard base64, enums by name (an unknown number
/// bare), fields at their zero value left out except a oneof's chosen member, strings escaped as
/// Go's json.Marshal escapes them. Requests are read leniently, as <see cref="ProtoJsonReader"/>
/// describes.
/// </summary>
public static class ProtoJson
{
    /// <summary>Writes <paramref name="message"/> as one compact JSON object.</summary>
    public static void Write(Utf8JsonWriter json, IMessage message)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(message);
        json.WriteStartObject();
        WriteFields(json, message);
        json.WriteEndObject();
    }

    /// <summary>The JSON text of <paramref name="message"/>.</summary>
    public static byte[] ToUtf8(IMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            Write(json, message);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads a request as the gateway reads a body: the first JSON value counts (what follows it is
    /// ignored); an empty body is the empty message. Throws <see cref="GoJsonException"/> with Go's
    /// text on malformed input.
    /// </summary>
    public static T Parse<T>(string text)
        where T : IMessage, new()
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = Encoding.UTF8.GetBytes(text);
        var message = new T();
        switch (GoJsonScanner.TryReadValue(bytes, 0, bytes.Length, final: true, out var value, out _, out var error))
        {
            case GoJsonRead.Value:
                ProtoJsonReader.Merge(message, value!);
                return message;
            case GoJsonRead.End:
                return message;
            default:
                throw new GoJsonException(error ?? "unexpected EOF");
        }
    }

    /// <summary>Writes the fields of <paramref name="message"/> into an object already open.</summary>
    public static void WriteFields(Utf8JsonWriter json, IMessage message)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(message);
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            var value = field.Accessor.GetValue(message);
            if (field.IsRepeated)
            {
                var list = (IList)value;
                if (list.Count == 0)
                {
                    continue;
                }

                json.WriteStartArray(field.Name);
                foreach (var item in list)
                {
                    WriteValue(json, field, item);
                }

                json.WriteEndArray();
                continue;
            }

            if (field.RealContainingOneof is { } oneof)
            {
                // jsonpb writes the chosen member of a oneof even at its zero value.
                if (oneof.Accessor.GetCaseFieldDescriptor(message)?.FieldNumber != field.FieldNumber)
                {
                    continue;
                }
            }
            else if (IsDefault(value))
            {
                continue;
            }

            json.WritePropertyName(field.Name);
            WriteValue(json, field, value);
        }
    }

    private static bool IsDefault(object? value) => value switch
    {
        null => true,
        IMessage => false,
        ByteString b => b.IsEmpty,
        string s => s.Length == 0,
        bool b => !b,
        int i => i == 0,
        long l => l == 0,
        uint u => u == 0,
        ulong u => u == 0,
        double d => d == 0,
        float f => f == 0,
        Enum e => Convert.ToInt32(e, CultureInfo.InvariantCulture) == 0,
        _ => false,
    };

    private static void WriteValue(Utf8JsonWriter json, FieldDescriptor field, object? value)
    {
        switch (field.FieldType)
        {
            case FieldType.Message:
            case FieldType.Group:
                Write(json, (IMessage)value!);
                break;
            case FieldType.Bytes:
                WriteBase64(json, ((ByteString)value!).Span);
                break;
            case FieldType.String:
                var escaped = new ArrayBufferWriter<byte>();
                GoText.WriteJsonString(escaped, (string)value!);
                json.WriteRawValue(escaped.WrittenSpan, skipInputValidation: true);
                break;
            case FieldType.Bool:
                json.WriteBooleanValue((bool)value!);
                break;
            case FieldType.Int64:
            case FieldType.SInt64:
            case FieldType.SFixed64:
                json.WriteStringValue(((long)value!).ToString(CultureInfo.InvariantCulture));
                break;
            case FieldType.UInt64:
            case FieldType.Fixed64:
                json.WriteStringValue(((ulong)value!).ToString(CultureInfo.InvariantCulture));
                break;
            case FieldType.Int32:
            case FieldType.SInt32:
            case FieldType.SFixed32:
                json.WriteNumberValue((int)value!);
                break;
            case FieldType.UInt32:
            case FieldType.Fixed32:
                json.WriteNumberValue((uint)value!);
                break;
            case FieldType.Double:
                json.WriteNumberValue((double)value!);
                break;
            case FieldType.Float:
                json.WriteNumberValue((float)value!);
                break;
            case FieldType.Enum:
                var number = Convert.ToInt32(value, CultureInfo.InvariantCulture);
                var name = field.EnumType.FindValueByNumber(number)?.Name;
                if (name is null)
                {
                    json.WriteNumberValue(number);
                }
                else
                {
                    json.WriteStringValue(name);
                }

                break;
            default:
                throw new NotSupportedException($"field type {field.FieldType} of {field.FullName}");
        }
    }

    /// <summary>Standard base64 with padding, written raw: its alphabet needs no escaping.</summary>
    private static void WriteBase64(Utf8JsonWriter json, ReadOnlySpan<byte> data)
    {
        var length = Base64.GetMaxEncodedToUtf8Length(data.Length);
        var rented = ArrayPool<byte>.Shared.Rent(length + 2);
        try
        {
            rented[0] = (byte)'"';
            Base64.EncodeToUtf8(data, rented.AsSpan(1), out _, out var written);
            rented[written + 1] = (byte)'"';
            json.WriteRawValue(rented.AsSpan(0, written + 2), skipInputValidation: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
