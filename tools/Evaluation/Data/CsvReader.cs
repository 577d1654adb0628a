using System.Text;

namespace Clarity.Evaluation.Data;

/// <summary>
/// A streaming RFC 4180 reader: fields separated by a delimiter, optionally enclosed in double
/// quotes; inside quotes, delimiters and line breaks are data and <c>""</c> is one quote. CRLF and
/// LF both end a record. Written for speed on half a million lines: one pass, one reused buffer.
/// </summary>
public sealed class CsvReader(TextReader reader, char delimiter = ',')
{
    private readonly StringBuilder _field = new();
    private readonly List<string> _fields = [];

    /// <summary>1-based number of the physical line where the last record returned started.</summary>
    public long RecordStartLine { get; private set; }

    private long _line = 1;

    /// <summary>
    /// Reads the next record into a reused list (valid until the next call); null at end of input.
    /// A record left open by an unterminated quote at end of input is returned as read.
    /// </summary>
    public IReadOnlyList<string>? ReadRecord()
    {
        _fields.Clear();
        _field.Clear();
        RecordStartLine = _line;
        var c = reader.Read();
        if (c < 0)
        {
            return null;
        }
        var inQuotes = false;
        var fieldStarted = false;
        while (true)
        {
            if (c < 0)
            {
                _fields.Add(_field.ToString());
                return _fields;
            }
            var ch = (char)c;
            if (inQuotes)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        _field.Append('"');
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    if (ch == '\n')
                    {
                        _line++;
                    }
                    _field.Append(ch);
                }
            }
            else if (ch == '"' && !fieldStarted)
            {
                inQuotes = true;
                fieldStarted = true;
            }
            else if (ch == delimiter)
            {
                _fields.Add(_field.ToString());
                _field.Clear();
                fieldStarted = false;
            }
            else if (ch == '\r' || ch == '\n')
            {
                if (ch == '\r' && reader.Peek() == '\n')
                {
                    reader.Read();
                }
                _line++;
                _fields.Add(_field.ToString());
                return _fields;
            }
            else
            {
                // A stray quote inside an unquoted field is kept as data (lenient, like most readers).
                _field.Append(ch);
                fieldStarted = true;
            }
            c = reader.Read();
        }
    }
}
