package file

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// utf8BOM is the byte order mark some tools put before UTF-8 text.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// loadCSV reads the CSV file at path, which Ref calls name. Each row is
// numbered by the line on which its record starts.
func loadCSV(path, name, encoding string) (*table, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}

	text, err := decodeText(data, encoding)
	if err != nil {
		return nil, err
	}

	return parseCSV(text, name)
}

// decodeText turns the bytes of a file in encoding into text.
func decodeText(data []byte, encoding string) (string, error) {
	if encoding == EncodingGB18030 {
		return decodeGB18030(data)
	}

	if rest, ok := bytes.CutPrefix(data, utf8BOM); ok {
		return string(rest), nil
	}

	if utf8.Valid(data) {
		return string(data), nil
	}

	if encoding == EncodingUTF8 {
		return "", errors.New("not valid utf-8; set the encoding to gb18030 for a GBK file")
	}

	return decodeGB18030(data)
}

// decodeGB18030 turns GB18030 bytes into text.
func decodeGB18030(data []byte) (string, error) {
	text, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil {
		return "", fmt.Errorf("decoding gb18030: %w", err)
	}

	return string(text), nil
}

// parseCSV splits text into records, which may differ in length and hold
// stray quotes.
func parseCSV(text, name string) (*table, error) {
	reader := csv.NewReader(strings.NewReader(text))
	reader.FieldsPerRecord = -1
	reader.LazyQuotes = true

	t := &table{ref: name}
	for {
		record, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}

		if err != nil {
			return nil, err
		}

		line, _ := reader.FieldPos(0)
		t.rows = append(t.rows, record)
		t.nums = append(t.nums, line)
	}
}
