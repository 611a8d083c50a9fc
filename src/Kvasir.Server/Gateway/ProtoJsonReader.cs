using System.Collections;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Kvasir.Server.Gateway;

/// <summary>
/// Fills a protobuf message from a JSON value the way etcd 3.4's gateway (golang/protobuf 1.3's
/// jsonpb over Go's encoding/json) reads requests, with the same leniency and the same error
/// texts: field names in proto form (<c>range_end</c>) or lowerCamel (<c>rangeEnd</c>; both given,
/// lowerCamel wins), unknown fields ignored, <c>null</c> leaves a field unset, 64- and 32-bit
/// integers as numbers or quoted numbers, enums by name (quoted) or number, bytes as standard
/// base64 (or an array of byte values), fields read in declaration order, oneof members after the
/// rest. The first error stops reading and is reported as Go words it.
/// </summary>
internal static class ProtoJsonReader
{
    private const string MapType = "map[string]json.RawMessage";
    private const string SliceType = "[]json.RawMessage";

    /// <summary>Merges <paramref name="value"/> into <paramref name="message"/>; throws <see cref="GoJsonException"/>.</summary>
    public static void Merge(IMessage message, GoJsonValue value)
    {
        if (value.Kind == GoJsonKind.Null)
        {
            return;
        }

        if (value.Kind != GoJsonKind.Object)
        {
            throw TypeError(value.GoKindName, MapType);
        }

        // Go reads the object into a map: a key given twice keeps its last value.
        var members = new Dictionary<string, GoJsonValue>(value.Members!.Count, StringComparer.Ordinal);
        foreach (var (key, member) in value.Members)
        {
            members[key] = member;
        }

        var fields = message.Descriptor.Fields.InDeclarationOrder();
        foreach (var field in fields)
        {
            if (field.RealContainingOneof is null && Consume(members, field) is { } raw)
            {
                ReadField(message, field, raw);
            }
        }

        if (members.Count == 0)
        {
            return;
        }

        foreach (var field in fields)
        {
            if (field.RealContainingOneof is not null && Consume(members, field) is { } raw)
            {
                ReadOneofMember(message, field, raw);
            }
        }
    }

    /// <summary>Takes the field's value out of the map under either name; lowerCamel wins when both are there.</summary>
    private static GoJsonValue? Consume(Dictionary<string, GoJsonValue> members, FieldDescriptor field)
    {
        members.Remove(field.Name, out var byName);
        if (field.JsonName != field.Name && members.Remove(field.JsonName, out var byJsonName))
        {
            return byJsonName;
        }

        return byName;
    }

    private static void ReadField(IMessage message, FieldDescriptor field, GoJsonValue raw)
    {
        if (field.IsMap)
        {
            throw new GoJsonException($"kvasir: map field {field.FullName} is not supported by the gateway");
        }

        if (field.IsRepeated)
        {
            if (raw.Kind == GoJsonKind.String && field.FieldType == FieldType.Enum)
            {
                // jsonpb tries the enum name first, then finds the target is a slice.
                _ = EnumByName(field, raw);
                throw new GoJsonException($"invalid target \"slice\" for enum {GoEnumName(field.EnumType)}");
            }

            if (raw.Kind == GoJsonKind.Null)
            {
                return;
            }

            if (raw.Kind != GoJsonKind.Array)
            {
                throw TypeError(raw.GoKindName, SliceType);
            }

            var list = (IList)field.Accessor.GetValue(message);
            foreach (var item in raw.Items!)
            {
                list.Add(field.FieldType == FieldType.Message ? ReadMessage(field, item) ?? NewMessage(field) : ReadScalar(field, item) ?? Zero(field));
            }

            return;
        }

        if (field.FieldType == FieldType.Message)
        {
            if (ReadMessage(field, raw) is { } nested)
            {
                field.Accessor.SetValue(message, nested);
            }

            return;
        }

        if (ReadScalar(field, raw) is { } scalar)
        {
            field.Accessor.SetValue(message, scalar);
        }
    }

    private static void ReadOneofMember(IMessage message, FieldDescriptor field, GoJsonValue raw)
    {
        if (field.FieldType == FieldType.Message)
        {
            // jsonpb sets the oneof's wrapper; a null message inside it is sent as nothing at all.
            if (ReadMessage(field, raw) is { } nested)
            {
                field.Accessor.SetValue(message, nested);
            }

            return;
        }

        field.Accessor.SetValue(message, ReadScalar(field, raw) ?? Zero(field));
    }

    /// <summary>A nested message, or null for JSON <c>null</c> (the field stays unset).</summary>
    private static IMessage? ReadMessage(FieldDescriptor field, GoJsonValue raw)
    {
        if (raw.Kind == GoJsonKind.Null)
        {
            return null;
        }

        var nested = NewMessage(field);
        Merge(nested, raw);
        return nested;
    }

    private static IMessage NewMessage(FieldDescriptor field) => field.MessageType.Parser.ParseFrom(ByteString.Empty);

    /// <summary>A scalar's value, or null when JSON leaves it at its default (<c>null</c>).</summary>
    private static object? ReadScalar(FieldDescriptor field, GoJsonValue raw)
    {
        switch (field.FieldType)
        {
            case FieldType.Enum:
                if (raw.Kind == GoJsonKind.String)
                {
                    return EnumByName(field, raw);
                }

                return Integer(raw, GoEnumName(field.EnumType), int.MinValue, int.MaxValue) is { } number ? (int)number : null;
            case FieldType.Bool:
                return raw.Kind switch
                {
                    GoJsonKind.True => true,
                    GoJsonKind.False => false,
                    GoJsonKind.Null => null,
                    _ => throw TypeError(raw.GoKindName, "bool"),
                };
            case FieldType.String:
                return raw.Kind switch
                {
                    GoJsonKind.String => Encoding.UTF8.GetString(GoText.Unquote(raw.RawContent)),
                    GoJsonKind.Null => null,
                    _ => throw TypeError(raw.GoKindName, "string"),
                };
            case FieldType.Bytes:
                return Bytes(raw);
            case FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64:
                return Integer(Unquoted(raw), "int64", long.MinValue, long.MaxValue);
            case FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32:
                return Integer(Unquoted(raw), "int32", int.MinValue, int.MaxValue) is { } i32 ? (int)i32 : null;
            case FieldType.UInt64 or FieldType.Fixed64:
                return Unsigned(Unquoted(raw), "uint64", ulong.MaxValue);
            case FieldType.UInt32 or FieldType.Fixed32:
                return Unsigned(Unquoted(raw), "uint32", uint.MaxValue) is { } u32 ? (uint)u32 : null;
            case FieldType.Double or FieldType.Float:
                return Floating(Unquoted(raw), field.FieldType == FieldType.Double);
            default:
                throw new GoJsonException($"kvasir: field {field.FullName} of type {field.FieldType} is not supported by the gateway");
        }
    }

    private static object Zero(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.Enum or FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => 0,
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => 0L,
        FieldType.UInt32 or FieldType.Fixed32 => 0u,
        FieldType.UInt64 or FieldType.Fixed64 => 0ul,
        FieldType.Bool => false,
        FieldType.String => "",
        FieldType.Bytes => ByteString.Empty,
        FieldType.Double => 0d,
        _ => 0f,
    };

    /// <summary>jsonpb's enum by name: the raw text between the quotes, looked up as is.</summary>
    private static int EnumByName(FieldDescriptor field, GoJsonValue raw)
    {
        var name = raw.RawContent;
        var value = field.EnumType.FindValueByName(Encoding.UTF8.GetString(name));
        return value?.Number ?? throw new GoJsonException($"unknown value {GoText.Quote(name)} for enum {GoEnumName(field.EnumType)}");
    }

    /// <summary>jsonpb drops the quotes of a quoted number and reads what is inside as JSON of its own.</summary>
    private static GoJsonValue Unquoted(GoJsonValue raw)
    {
        if (raw.Kind != GoJsonKind.String)
        {
            return raw;
        }

        var error = GoJsonScanner.Validate(raw.RawContent.ToArray(), out var inner);
        return error is null ? inner! : throw new GoJsonException(error);
    }

    private static long? Integer(GoJsonValue raw, string goType, long min, long max)
    {
        if (raw.Kind == GoJsonKind.Null)
        {
            return null;
        }

        if (raw.Kind != GoJsonKind.Number)
        {
            throw TypeError(raw.GoKindName, goType);
        }

        var text = Encoding.ASCII.GetString(raw.Raw);
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        throw TypeError("number " + text, goType);
    }

    private static ulong? Unsigned(GoJsonValue raw, string goType, ulong max)
    {
        if (raw.Kind == GoJsonKind.Null)
        {
            return null;
        }

        if (raw.Kind != GoJsonKind.Number)
        {
            throw TypeError(raw.GoKindName, goType);
        }

        var text = Encoding.ASCII.GetString(raw.Raw);
        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= max)
        {
            return value;
        }

        throw TypeError("number " + text, goType);
    }

    private static object? Floating(GoJsonValue raw, bool isDouble)
    {
        var goType = isDouble ? "float64" : "float32";
        if (raw.Kind == GoJsonKind.Null)
        {
            return null;
        }

        if (raw.Kind != GoJsonKind.Number)
        {
            throw TypeError(raw.GoKindName, goType);
        }

        var value = double.Parse(Encoding.ASCII.GetString(raw.Raw), NumberStyles.Float, CultureInfo.InvariantCulture);
        return isDouble ? value : (float)value;
    }

    /// <summary>Go's []byte from JSON: a base64 string, or an array of byte values.</summary>
    private static ByteString? Bytes(GoJsonValue raw)
    {
        switch (raw.Kind)
        {
            case GoJsonKind.Null:
                return null;
            case GoJsonKind.String:
                var decoded = GoText.DecodeBase64(GoText.Unquote(raw.RawContent), out var error);
                return decoded is null ? throw new GoJsonException(error!) : ByteString.CopyFrom(decoded);
            case GoJsonKind.Array:
                var bytes = new byte[raw.Items!.Count];
                for (var i = 0; i < bytes.Length; i++)
                {
                    bytes[i] = (byte)(Unsigned(raw.Items[i], "uint8", byte.MaxValue) ?? 0);
                }

                return ByteString.CopyFrom(bytes);
            default:
                throw TypeError(raw.GoKindName, "[]uint8");
        }
    }

    /// <summary>The enum's Go type name, which jsonpb's errors name: <c>etcdserverpb.RangeRequest_SortOrder</c>.</summary>
    private static string GoEnumName(EnumDescriptor type)
    {
        var package = type.File.Package;
        var local = package.Length == 0 ? type.FullName : type.FullName[(package.Length + 1)..];
        return package.Length == 0 ? local.Replace('.', '_') : package + "." + local.Replace('.', '_');
    }

    private static GoJsonException TypeError(string what, string goType) => new($"json: cannot unmarshal {what} into Go value of type {goType}");
}
