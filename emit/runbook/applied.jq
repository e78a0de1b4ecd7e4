def covers($w):
  if ($w | type) == "object" then
    type == "object" and (. as $x | [$w | keys[] | . as $k | ($x[$k] | covers($w[$k]))] | all)
  elif ($w | type) == "array" then
    type == "array" and length == ($w | length) and (. as $x | [range($w | length) | . as $i | ($x[$i] | covers($w[$i]))] | all)
  else . == $w end;
. as $o | $c[0] as $c
| ([$c.present[] | . as {path: $p, value: $v} | ($o | try getpath($p) catch null) | covers($v)] | all)
  and ([$c.absent[] | . as $p | ($o | try getpath($p) catch null) == null] | all)
  and ([$c.exists[]? | . as $p | ($o | try getpath($p) catch null) != null] | all)
