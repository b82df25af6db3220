"""What the outputs say and how they look: wording shared by paper, workbooks, the command line
and the window, and the printed documents' content; never imports Qt."""
