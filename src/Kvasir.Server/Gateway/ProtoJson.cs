using System.Buffers;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Kvasir.Server.Gateway;

/// <summary>
/// Protobuf messages as etcd's JSON gateway (grpc-gateway v1) writes and reads them: compact
/// JSON, proto field names (<c>create_revision</c>), 64-bit integers as strings, bytes as standard
/// base64, enums by name, fields at their zero value left out. Requests are read leniently:
/// snake_case or lowerCamel names, 64-bit integers as strings or numbers.
/// </summary>
public static class ProtoJson
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    /// <summary>Writes <paramref name="message"/> as one compact JSON object.</summary>
    public static void Write(Utf8JsonWriter json, IMessage message)
    {
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

    /// <summary>Reads a request; an empty body is the empty message. Throws <see cref="FormatException"/> with the reason on malformed input.</summary>
    public static T Parse<T>(string text)
        where T : IMessage, new()
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return new T();
        }

        try
        {
            return Parser.Parse<T>(text);
        }
        catch (Exception e) when (e is InvalidJsonException or InvalidProtocolBufferException)
        {
            throw new FormatException(e.Message, e);
        }
    }

    /// <summary>Writes the fields of <paramref name="message"/> into an object already open.</summary>
    public static void WriteFields(Utf8JsonWriter json, IMessage message)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = field.Accessor.GetValue(message);
            if (field.IsRepeated)
            {
                var list = (System.Collections.IList)value;
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
                if (oneof.Accessor.GetCaseFieldDescriptor(message)?.FieldNumber != field.FieldNumber)
                {
                    continue;
                }
            }
            else if (IsDefault(field, value))
            {
                continue;
            }

            json.WritePropertyName(field.Name);
            WriteValue(json, field, value);
        }
    }

    private static bool IsDefault(FieldDescriptor field, object? value) => value switch
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
        Enum e => Convert.ToInt32(e, System.Globalization.CultureInfo.InvariantCulture) == 0,
        _ => field.FieldType == FieldType.Message && value is null,
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
                json.WriteBase64StringValue(((ByteString)value!).Span);
                break;
            case FieldType.String:
                json.WriteStringValue((string)value!);
                break;
            case FieldType.Bool:
                json.WriteBooleanValue((bool)value!);
                break;
            case FieldType.Int64:
            case FieldType.SInt64:
            case FieldType.SFixed64:
                json.WriteStringValue(((long)value!).ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            case FieldType.UInt64:
            case FieldType.Fixed64:
                json.WriteStringValue(((ulong)value!).ToString(System.Globalization.CultureInfo.InvariantCulture));
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
                var number = Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
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
}
