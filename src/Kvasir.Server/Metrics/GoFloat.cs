using System.Globalization;
using System.Text;

namespace Kvasir.Server.Metrics;

/// <summary>
/// Go's <c>strconv.FormatFloat(v, 'g', -1, 64)</c>, which Prometheus' Go client uses for sample values
/// and bucket bounds: the shortest digits that round-trip, in exponent form when the exponent is
/// below -4 or at least 6 (<c>2.147483648e+09</c>, <c>1e-05</c>), else plain (<c>0.001</c>, <c>123456</c>).
/// </summary>
internal static class GoFloat
{
    public static string Format(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            return "+Inf";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "-Inf";
        }

        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0" : "0";
        }

        // The shortest round-trip digits and the decimal point's position (dp: digits before the point).
        var r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var e = r.IndexOf('E', StringComparison.Ordinal);
        var mantissa = e < 0 ? r : r[..e];
        var exponent10 = e < 0 ? 0 : int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = point < 0 ? mantissa : mantissa.Remove(point, 1);
        var dp = (point < 0 ? mantissa.Length : point) + exponent10;
        var leading = 0;
        while (leading < digits.Length - 1 && digits[leading] == '0')
        {
            leading++;
        }

        digits = digits[leading..];
        dp -= leading;
        digits = digits.TrimEnd('0');
        var text = new StringBuilder(24);
        if (value < 0)
        {
            text.Append('-');
        }

        var exp = dp - 1;
        if (exp < -4 || exp >= 6)
        {
            text.Append(digits[0]);
            if (digits.Length > 1)
            {
                text.Append('.').Append(digits, 1, digits.Length - 1);
            }

            text.Append('e').Append(exp < 0 ? '-' : '+').Append(Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture));
            return text.ToString();
        }

        if (dp > 0)
        {
            text.Append(digits.Length >= dp ? digits[..dp] : digits.PadRight(dp, '0'));
        }
        else
        {
            text.Append('0');
        }

        var fraction = Math.Max(digits.Length - dp, 0);
        if (fraction > 0)
        {
            text.Append('.');
            for (var i = 0; i < fraction; i++)
            {
                var index = dp + i;
                text.Append(index >= 0 && index < digits.Length ? digits[index] : '0');
            }
        }

        return text.ToString();
    }
}
