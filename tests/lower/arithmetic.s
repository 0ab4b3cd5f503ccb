arithmetic.artel:11:9: error: 'up' is a keyword and cannot be used as a name, expected a name
      let up = amount * 1.5% rounded up
          ^
arithmetic.artel:13:29: error: unexpected '(', expected 'emit', 'for', 'if', 'let', 'remove', 'require', 'return', 'split', ...
      totals[caller] = doubled(up) - even
                              ^
