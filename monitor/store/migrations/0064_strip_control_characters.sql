-- Text stored before feeds' and pages' terminal sequences and control characters were removed at collection
-- (monitor.charsets.printable, registered on the connection as monitor_printable): the same rule is applied
-- to stored articles and to alerts still to be sent, so listing old articles cannot clear the analyst's
-- screen or hide a link, and an alert's subject carries no control character.

UPDATE articles SET title = monitor_printable(title) WHERE title <> monitor_printable(title);
UPDATE articles SET sapo = monitor_printable(sapo) WHERE sapo <> monitor_printable(sapo);
UPDATE articles SET body = monitor_printable(body) WHERE body <> monitor_printable(body);
UPDATE articles SET author = monitor_printable(author) WHERE author <> monitor_printable(author);
UPDATE alerts SET subject = monitor_printable(subject) WHERE subject <> monitor_printable(subject);
UPDATE alerts SET body = monitor_printable(body) WHERE body <> monitor_printable(body);
