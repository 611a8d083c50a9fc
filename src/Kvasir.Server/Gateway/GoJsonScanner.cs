using System.Text;

namespace Kvasir.Server.Gateway;

/// <summary>
/// Reads JSON the way Go's encoding/json does, with its error texts, because etcd's gateway
/// answers malformed bodies with them (<c>unexpected EOF</c>, <c>invalid character 'x' looking
/// for beginning of value</c>, ...). Two modes, as Go has two entry points:
/// <list type="bullet">
/// <item><see cref="TryReadValue"/> is <c>json.Decoder.Decode</c>: skips whitespace, reads one
/// value and stops; what follows is left for the next call (a request body may carry several
/// values, as the watch stream's does). Truncated input is <c>unexpected EOF</c> once the body has
/// ended, else "need more".</item>
/// <item><see cref="Validate"/> is <c>json.Unmarshal</c>'s check: the whole input is one value
/// with only whitespace after it; truncated input is <c>unexpected end of JSON input</c>.</item>
/// </list>
/// The scanner validates the whole value before anything reads it, so a syntax error anywhere wins
/// over a type error, as in Go.
/// </summary>
internal sealed class GoJsonScanner
{
    /// <summary>Deeper nesting than this is refused ("exceeded max depth"); Go allows 10,000.</summary>
    public const int MaxDepth = 1000;

    private readonly byte[] _buf;
    private readonly int _end;
    private readonly bool _final;
    private readonly bool _topLevel;
    private int _pos;
    private int _depth;

    private GoJsonScanner(byte[] buf, int start, int end, bool final, bool topLevel)
    {
        _buf = buf;
        _pos = start;
        _end = end;
        _final = final;
        _topLevel = topLevel;
    }

    /// <summary>
    /// Decoder mode: reads the next value of <paramref name="buf"/>[<paramref name="start"/>..<paramref name="end"/>).
    /// </summary>
    /// <param name="final">True when no more bytes will come (the body has ended).</param>
    /// <param name="value">The value read, when the result is <see cref="GoJsonRead.Value"/>.</param>
    /// <param name="next">Where the value ended (the next read starts there).</param>
    /// <param name="error">Go's message, when the result is <see cref="GoJsonRead.Error"/>.</param>
    public static GoJsonRead TryReadValue(byte[] buf, int start, int end, bool final, out GoJsonValue? value, out int next, out string? error)
    {
        var scanner = new GoJsonScanner(buf, start, end, final, topLevel: false);
        value = null;
        next = start;
        error = null;
        try
        {
            scanner.SkipSpace();
            if (scanner._pos == end)
            {
                return final ? GoJsonRead.End : GoJsonRead.NeedMore;
            }

            value = scanner.ReadValue();
            next = scanner._pos;
            return GoJsonRead.Value;
        }
        catch (NeedMoreException)
        {
            return GoJsonRead.NeedMore;
        }
        catch (GoJsonException e)
        {
            error = e.Message;
            return GoJsonRead.Error;
        }
    }

    /// <summary>Unmarshal mode: null when <paramref name="text"/> is exactly one JSON value (whitespace around it allowed), else Go's message.</summary>
    public static string? Validate(byte[] text, out GoJsonValue? value)
    {
        var scanner = new GoJsonScanner(text, 0, text.Length, final: true, topLevel: true);
        value = null;
        try
        {
            scanner.SkipSpace();
            value = scanner.ReadValue();
            scanner.SkipSpace();
            if (scanner._pos < text.Length)
            {
                throw new GoJsonException($"invalid character {GoText.QuoteChar(text[scanner._pos])} after top-level value");
            }

            return null;
        }
        catch (GoJsonException e)
        {
            value = null;
            return e.Message;
        }
    }

    private GoJsonValue ReadValue()
    {
        var c = Peek();
        switch (c)
        {
            case (byte)'{':
                return ReadObject();
            case (byte)'[':
                return ReadArray();
            case (byte)'"':
                return ReadString();
            case (byte)'-':
            case >= (byte)'0' and <= (byte)'9':
                return ReadNumber();
            case (byte)'t':
                return ReadLiteral("true", GoJsonKind.True);
            case (byte)'f':
                return ReadLiteral("false", GoJsonKind.False);
            case (byte)'n':
                return ReadLiteral("null", GoJsonKind.Null);
            default:
                throw Invalid(c, "looking for beginning of value");
        }
    }

    private GoJsonValue ReadObject()
    {
        var value = new GoJsonValue(GoJsonKind.Object, _buf, _pos) { Members = [] };
        Enter();
        _pos++;
        SkipSpace();
        if (Peek() == '}')
        {
            _pos++;
            return Close(value);
        }

        while (true)
        {
            SkipSpace();
            var c = Peek();
            if (c != '"')
            {
                throw Invalid(c, "looking for beginning of object key string");
            }

            var key = ReadString();
            SkipSpace();
            c = Peek();
            if (c != ':')
            {
                throw Invalid(c, "after object key");
            }

            _pos++;
            SkipSpace();
            var member = ReadValue();
            value.Members!.Add(new KeyValuePair<string, GoJsonValue>(Encoding.UTF8.GetString(GoText.Unquote(key.RawContent)), member));
            SkipSpace();
            c = Peek();
            if (c == ',')
            {
                _pos++;
                continue;
            }

            if (c == '}')
            {
                _pos++;
                return Close(value);
            }

            throw Invalid(c, "after object key:value pair");
        }
    }

    private GoJsonValue ReadArray()
    {
        var value = new GoJsonValue(GoJsonKind.Array, _buf, _pos) { Items = [] };
        Enter();
        _pos++;
        SkipSpace();
        if (Peek() == ']')
        {
            _pos++;
            return Close(value);
        }

        while (true)
        {
            SkipSpace();
            value.Items!.Add(ReadValue());
            SkipSpace();
            var c = Peek();
            if (c == ',')
            {
                _pos++;
                continue;
            }

            if (c == ']')
            {
                _pos++;
                return Close(value);
            }

            throw Invalid(c, "after array element");
        }
    }

    private GoJsonValue ReadString()
    {
        var value = new GoJsonValue(GoJsonKind.String, _buf, _pos);
        _pos++;
        while (true)
        {
            var c = Peek();
            _pos++;
            if (c == '"')
            {
                value.Length = _pos - value.Start;
                return value;
            }

            if (c == '\\')
            {
                c = Peek();
                _pos++;
                switch (c)
                {
                    case (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t' or (byte)'\\' or (byte)'/' or (byte)'"':
                        break;
                    case (byte)'u':
                        for (var i = 0; i < 4; i++)
                        {
                            c = Peek();
                            if (!IsHex(c))
                            {
                                throw Invalid(c, "in \\u hexadecimal character escape");
                            }

                            _pos++;
                        }

                        break;
                    default:
                        throw Invalid(c, "in string escape code");
                }
            }
            else if (c < 0x20)
            {
                throw Invalid(c, "in string literal");
            }
        }
    }

    private GoJsonValue ReadNumber()
    {
        var value = new GoJsonValue(GoJsonKind.Number, _buf, _pos);
        var c = Peek();
        if (c == '-')
        {
            _pos++;
            c = Peek();
            if (!IsDigit(c))
            {
                throw Invalid(c, "in numeric literal");
            }
        }

        _pos++;
        if (c != '0')
        {
            SkipDigits();
        }

        if (PeekOrEnd() == '.')
        {
            _pos++;
            c = Peek();
            if (!IsDigit(c))
            {
                throw Invalid(c, "after decimal point in numeric literal");
            }

            SkipDigits();
        }

        if (PeekOrEnd() is (byte)'e' or (byte)'E')
        {
            _pos++;
            c = Peek();
            if (c is (byte)'+' or (byte)'-')
            {
                _pos++;
                c = Peek();
            }

            if (!IsDigit(c))
            {
                throw Invalid(c, "in exponent of numeric literal");
            }

            SkipDigits();
        }

        // A number is complete only when something follows it or the input has ended.
        if (_pos == _end && !_final)
        {
            throw new NeedMoreException();
        }

        value.Length = _pos - value.Start;
        return value;
    }

    private GoJsonValue ReadLiteral(string word, GoJsonKind kind)
    {
        var value = new GoJsonValue(kind, _buf, _pos);
        _pos++;
        for (var i = 1; i < word.Length; i++)
        {
            var c = Peek();
            if (c != word[i])
            {
                throw Invalid(c, $"in literal {word} (expecting {GoText.QuoteChar((byte)word[i])})");
            }

            _pos++;
        }

        value.Length = word.Length;
        return value;
    }

    private void SkipDigits()
    {
        while (_pos < _end && IsDigit(_buf[_pos]))
        {
            _pos++;
        }
    }

    private void SkipSpace()
    {
        while (_pos < _end && _buf[_pos] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            _pos++;
        }
    }

    /// <summary>The next byte; at the end of the input, more is needed or the input is truncated.</summary>
    private byte Peek()
    {
        if (_pos < _end)
        {
            return _buf[_pos];
        }

        if (!_final)
        {
            throw new NeedMoreException();
        }

        throw new GoJsonException(_topLevel ? "unexpected end of JSON input" : "unexpected EOF");
    }

    /// <summary>The next byte, or 0 at the end of a final input (a number may end there).</summary>
    private int PeekOrEnd() => _pos < _end ? _buf[_pos] : _final ? 0 : throw new NeedMoreException();

    private void Enter()
    {
        if (++_depth > MaxDepth)
        {
            throw new GoJsonException("exceeded max depth");
        }
    }

    private GoJsonValue Close(GoJsonValue value)
    {
        _depth--;
        value.Length = _pos - value.Start;
        return value;
    }

    private static bool IsDigit(int c) => c is >= '0' and <= '9';

    private static bool IsHex(int c) => c is (>= '0' and <= '9') or (>= 'a' and <= 'f') or (>= 'A' and <= 'F');

    private static GoJsonException Invalid(byte c, string context) => new($"invalid character {GoText.QuoteChar(c)} {context}");

    private sealed class NeedMoreException : Exception;
}
