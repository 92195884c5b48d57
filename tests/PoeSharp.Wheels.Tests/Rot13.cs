namespace PoeSharp.Wheels.Tests;

internal static class Rot13
{
    public static string Apply(string s) => string.Create(s.Length, s, static (span, src) =>
    {
        for (int i = 0; i < src.Length; i++)
        {
            char c = src[i];
            span[i] = c switch
            {
                >= 'a' and <= 'z' => (char)('a' + (c - 'a' + 13) % 26),
                >= 'A' and <= 'Z' => (char)('A' + (c - 'A' + 13) % 26),
                _ => c,
            };
        }
    });
}
